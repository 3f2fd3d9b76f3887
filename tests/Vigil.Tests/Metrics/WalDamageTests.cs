using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Cli;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Hosting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>
/// Disk damage in an older segment of the metrics write-ahead log, as an operator meets it: four
/// bytes flipped in the middle of the first segment while the server is stopped. The next start
/// logs it at error with the file and offset, counts it on <c>/metrics</c>, keeps
/// <c>/api/health</c> degraded (across restarts) until an administrator acknowledges it, and every
/// sample of the later segment is still queryable.
/// </summary>
public sealed class WalDamageTests : IAsyncLifetime
{
    private readonly LogCapture log = new();
    private TestServer server = null!;

    public async Task InitializeAsync() =>
        server = await TestServer.StartAsync(configYaml: "services: [{name: web}]", configureServices: services => services.AddSingleton<ILoggerProvider>(log));

    public async Task DisposeAsync() => await server.DisposeAsync();

    private long StartMs => server.Clock.GetUtcNow().ToUnixTimeMilliseconds() - 600_000;

    /// <summary>One remote-write request: ten series of the batch, 20 samples each, one second apart.</summary>
    private async Task WriteAsync(int batch)
    {
        var series = Enumerable.Range(0, 10).Select(s => new TimeSeries(
            Labels.Of("__name__", "wal_damage_value", "batch", batch.ToString(CultureInfo.InvariantCulture), "series", s.ToString(CultureInfo.InvariantCulture)),
            [.. Enumerable.Range(0, 20).Select(i => new Sample(StartMs + (i * 1000L), batch))])).ToList();
        using var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(series, [])));
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        using var response = await server.Http.PostAsync("/prometheus/api/v1/write", content);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>How many samples each batch has in the store.</summary>
    private async Task<Dictionary<int, int>> SamplesByBatchAsync()
    {
        var at = (StartMs + 19_000) / 1000;
        var answer = await server.GetJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Uri.EscapeDataString("sum by (batch) (count_over_time(wal_damage_value[1m]))")}&time={at}");
        return answer.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
            r => int.Parse(r.GetProperty("metric").GetProperty("batch").GetString()!, CultureInfo.InvariantCulture),
            r => int.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary><c>vigil metrics check DATA</c>, in process.</summary>
    private async Task<(int Exit, string Output, string Error)> CheckAsync()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { MetricsCommand.Create() }, ["metrics", "check", server.DataDirectory], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task<JsonElement> MetricsStoreHealthAsync() =>
        (await server.GetJsonAsync<JsonElement>("/api/health")).GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "metrics_store");

    [Fact]
    public async Task Four_bytes_flipped_in_an_older_segment_are_reported_and_every_sample_of_the_later_segment_stays_queryable()
    {
        for (var batch = 0; batch < 40; batch++)
        {
            await WriteAsync(batch); // segment 1: one frame per request
        }
        server = await server.RestartAsync(TimeSpan.Zero);
        for (var batch = 100; batch < 110; batch++)
        {
            await WriteAsync(batch); // segment 2
        }

        var wal = Path.Combine(server.DataDirectory, "metrics", "wal");
        var first = Path.Combine(wal, "00000001");
        var before = await CheckAsync();
        (int Exit, string Output, string Error) found = default;
        server = await server.RestartAsync(TimeSpan.Zero, whileStopped: async () =>
        {
            var bytes = await File.ReadAllBytesAsync(first);
            for (var b = bytes.Length / 2; b < (bytes.Length / 2) + 4; b++)
            {
                bytes[b] ^= 0xFF;
            }
            await File.WriteAllBytesAsync(first, bytes);
            found = await CheckAsync();
        });

        // `vigil metrics check` on the stopped server's data: clean before, the damage named after.
        Assert.True(before.Exit == 0, before.Output + before.Error);
        Assert.Contains("ok: no damage found", before.Output);
        Assert.Equal(1, found.Exit);
        Assert.Contains($"damaged: {first}: does not decode from byte", found.Error);

        // Every sample of the later segment, and the batches before the damaged spot.
        var samples = await SamplesByBatchAsync();
        Assert.All(Enumerable.Range(100, 10), batch => Assert.Equal(200, samples.GetValueOrDefault(batch)));
        var kept = Enumerable.Range(0, 40).Where(b => samples.GetValueOrDefault(b) == 200).ToList();
        Assert.Equal(Enumerable.Range(0, kept.Count), kept);
        Assert.InRange(kept.Count, 10, 39);

        var error = Assert.Single(log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Metrics WAL is damaged", StringComparison.Ordinal));
        Assert.Contains(first, error.Message);
        Assert.Contains("offset", error.Message);
        Assert.Contains("vigil_tsdb_wal_corruptions_total", await server.Http.GetStringAsync("/metrics"));
        var health = await MetricsStoreHealthAsync();
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Contains("00000001@", health.GetProperty("detail").GetString());
        Assert.Equal("degraded", (await server.GetJsonAsync<JsonElement>("/api/health")).GetProperty("status").GetString());
        Assert.True(Directory.EnumerateFiles(Path.Combine(wal, "damaged"), "00000001@*").Any(), "the cut bytes are kept");

        // A restart does not hide it: it stays until someone acknowledges it.
        server = await server.RestartAsync(TimeSpan.Zero);
        Assert.Equal("degraded", (await MetricsStoreHealthAsync()).GetProperty("status").GetString());
        using var acknowledge = await server.Http.PostAsync("/api/system/metrics/wal-damage/acknowledge", null);
        Assert.Equal(HttpStatusCode.OK, acknowledge.StatusCode);
        Assert.Equal(1, (await acknowledge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("acknowledged").GetInt32());
        Assert.Equal("ok", (await MetricsStoreHealthAsync()).GetProperty("status").GetString());
        Assert.Contains(await server.AuditAsync(), e => e.Action == "acknowledge" && e.Resource == "metrics_wal_damage");
        Assert.Equal(samples, await SamplesByBatchAsync());
    }
}
