using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>Acknowledged samples survive kill -9: the remote-write receiver answers 204 only once they are in the fsynced WAL.</summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"vigil-crash-{Guid.NewGuid():N}");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(directory, recursive: true);
        return Task.CompletedTask;
    }

    private static ByteArrayContent Batch(int batch, long startMs)
    {
        // Ten series per batch, each with 20 samples one second apart.
        var series = Enumerable.Range(0, 10).Select(s => new TimeSeries(
            Labels.Of("__name__", "crash_test_value", "batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture), "series", s.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            [.. Enumerable.Range(0, 20).Select(i => new Sample(startMs + (i * 1000L), (batch * 1000) + (s * 20) + i))])).ToList();
        var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(series, [])));
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return content;
    }

    [Fact]
    public async Task Every_acknowledged_sample_is_queryable_after_sigkill_and_restart()
    {
        var data = Path.Combine(directory, "data");
        var startMs = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds()).ToUnixTimeMilliseconds() - 60_000;
        var acknowledged = new List<int>();
        await using (var first = new ChildProcessServer(data))
        {
            await first.StartAsync();
            // Keep writing while the process is killed: the batches answered 204 before the kill count.
            var writer = Task.Run(async () =>
            {
                for (var batch = 0; batch < 10_000; batch++)
                {
                    try
                    {
                        using var response = await first.Http.PostAsync("/prometheus/api/v1/write", Batch(batch, startMs));
                        if (response.StatusCode != HttpStatusCode.NoContent)
                        {
                            return;
                        }
                        lock (acknowledged)
                        {
                            acknowledged.Add(batch);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            });
            await first.WaitUntilAsync(() => Task.FromResult(acknowledged.Count >= 30), TimeSpan.FromSeconds(30));
            await first.SignalAsync("KILL");
            await writer;
            Assert.NotEqual(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        await using var second = new ChildProcessServer(data);
        await second.StartAsync();
        var answer = await second.Http.GetFromJsonAsync<JsonElement>(
            $"/prometheus/api/v1/query?query={Uri.EscapeDataString("count_over_time(crash_test_value[5m])")}&time={(startMs + 20_000) / 1000}");
        var counts = answer.GetProperty("data").GetProperty("result").EnumerateArray()
            .ToDictionary(r => (r.GetProperty("metric").GetProperty("batch").GetString()!, r.GetProperty("metric").GetProperty("series").GetString()!), r => r.GetProperty("value")[1].GetString());
        foreach (var batch in acknowledged)
        {
            for (var s = 0; s < 10; s++)
            {
                Assert.True(counts.TryGetValue((batch.ToString(System.Globalization.CultureInfo.InvariantCulture), s.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var count), $"batch {batch} series {s} lost after the crash ({acknowledged.Count} batches acknowledged)");
                Assert.Equal("20", count);
            }
        }
    }
}
