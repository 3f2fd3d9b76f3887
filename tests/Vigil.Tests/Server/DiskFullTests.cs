using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Cli;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Hosting;
using Vigil.Tests.Monitors;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// The disk under the data directory fills up, as an operator meets it: a tmpfs of 64 MiB holds
/// SQLite and the metrics store, and a ballast file takes every free byte. Writes are refused with
/// 507 problem+json and Retry-After, <c>/api/health</c> says why, nothing already acknowledged is
/// lost or damaged, and once the ballast goes the same requests succeed, with no restart.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private SmallDisk disk = null!;
    private TargetServer target = null!;
    private TestServer server = null!;
    private volatile bool healthy = true;

    // What the server logged, so that a refusal answered otherwise than 507 names its exception.
    private readonly LogCapture log = new();

    public async Task InitializeAsync()
    {
        disk = SmallDisk.Mount(64);
        target = await TargetServer.StartAsync(app => app.MapGet("/", () => healthy ? Results.Ok("fine") : Results.StatusCode(503)));
        var data = Path.Combine(disk.Path, "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "vigil.yaml"), $$"""
            services: [{name: web}]
            monitors:
              - {name: web, type: http, service: web, url: "{{target.Url}}/", interval: 30s, retries: 0}
            """);
        server = await TestServer.StartOnAsync(data, database: null, configureServices: services => services.AddSingleton<ILoggerProvider>(log));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await target.DisposeAsync();
        disk.Dispose();
    }

    private MonitorState State => server.Services.GetRequiredService<MonitorStates>().Get("web");


    private long StartMs => server.Clock.GetUtcNow().ToUnixTimeMilliseconds() - 600_000;

    /// <summary>One remote-write request of 200 series, 20 samples each: well over a page of WAL.</summary>
    private async Task<HttpResponseMessage> WriteAsync(int batch)
    {
        var series = Enumerable.Range(0, 200).Select(s => new TimeSeries(
            Labels.Of("__name__", "disk_full_value", "batch", batch.ToString(CultureInfo.InvariantCulture), "series", s.ToString(CultureInfo.InvariantCulture)),
            [.. Enumerable.Range(0, 20).Select(i => new Sample(StartMs + (i * 1000L), batch))])).ToList();
        using var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(series, [])));
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return await server.Http.PostAsync("/prometheus/api/v1/write", content);
    }

    private async Task<Dictionary<int, int>> SamplesByBatchAsync()
    {
        var at = (StartMs + 19_000) / 1000;
        var answer = await server.GetJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Uri.EscapeDataString("sum by (batch) (count_over_time(disk_full_value[1m]))")}&time={at}");
        return answer.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
            r => int.Parse(r.GetProperty("metric").GetProperty("batch").GetString()!, CultureInfo.InvariantCulture),
            r => int.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));
    }

    private async Task<Dictionary<string, JsonElement>> HealthAsync()
    {
        using var response = await server.Http.GetAsync("/api/health");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
    }

    private async Task AssertInsufficientStorageAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage,
            $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n" +
            string.Join("\n", log.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}\n{e.Exception}")));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("storage: the disk that holds Vigil's data is full", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Exception", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Writes_are_refused_with_507_while_the_disk_is_full_nothing_acknowledged_is_lost_and_they_succeed_once_it_has_room()
    {
        for (var batch = 0; batch < 5; batch++)
        {
            using var accepted = await WriteAsync(batch);
            Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsJsonAsync("/api/services", new { name = "before" })).StatusCode);

        disk.Fill();

        // Samples: the WAL cannot grow, so the batch is refused; the sender keeps it and retries.
        using (var refused = await WriteAsync(5))
        {
            await AssertInsufficientStorageAsync(refused);
        }
        var health = await HealthAsync();
        Assert.Equal("full", health["data_disk"].GetProperty("status").GetString());
        Assert.Equal("refusing writes", health["metrics_store"].GetProperty("status").GetString());

        // State: SQLite may still place a small write in pages its log already holds, but not a
        // stream of them; each one it takes is acknowledged, each one it refuses is a 507.
        var created = new List<string>();
        HttpResponseMessage? refusedService = null;
        for (var i = 0; i < 400 && refusedService is null; i++)
        {
            var response = await server.Http.PostAsJsonAsync("/api/services", new { name = $"svc-{i}", description = new string('x', 16_000) });
            if (response.StatusCode == HttpStatusCode.Created)
            {
                created.Add($"svc-{i}");
                response.Dispose();
            }
            else
            {
                refusedService = response;
            }
        }
        Assert.NotNull(refusedService);

        await AssertInsufficientStorageAsync(refusedService);
        refusedService.Dispose();

        disk.Free();

        // The refused batch, sent again, is accepted; so is a new one, and a new service.
        using (var retried = await WriteAsync(5))
        {
            Assert.True(retried.StatusCode == HttpStatusCode.NoContent, await retried.Content.ReadAsStringAsync());
        }
        using (var later = await WriteAsync(6))
        {
            Assert.Equal(HttpStatusCode.NoContent, later.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsJsonAsync("/api/services", new { name = "after" })).StatusCode);
        health = await HealthAsync();
        Assert.Equal("ok", health["data_disk"].GetProperty("status").GetString());
        Assert.Equal("ok", health["metrics_store"].GetProperty("status").GetString());

        // Nothing acknowledged was lost and nothing is damaged, also after a restart that replays the WAL.
        var expected = Enumerable.Range(0, 7).ToDictionary(b => b, _ => 200 * 20);
        Assert.Equal(expected, await SamplesByBatchAsync());
        server = await server.RestartAsync(TimeSpan.Zero);
        Assert.Equal(expected, await SamplesByBatchAsync());
        Assert.Equal("ok", (await HealthAsync())["metrics_store"].GetProperty("status").GetString());
        var services = await server.GetJsonAsync<JsonElement>("/api/services");
        var names = services.EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToHashSet();
        Assert.Superset(created.Append("before").Append("after").ToHashSet(), names);
        Assert.Equal(["ok"], await server.QueryAsync(db => db.Database.SqlQueryRaw<string>("PRAGMA integrity_check").ToListAsync()));

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { MetricsCommand.Create() }, ["metrics", "check", server.DataDirectory], stdout, stderr);
        Assert.True(exit == 0, $"vigil metrics check: exit {exit}\n{stdout}{stderr}");
    }

    [Fact]
    public async Task A_monitor_that_goes_down_while_the_disk_is_full_has_its_state_change_saved_with_its_time_once_there_is_room()
    {
        await server.AdvanceUntilAsync(() => Task.FromResult(State.Status == MonitorStatus.Up), "the monitor is up");
        var upAt = State.Since!.Value;

        disk.Fill();
        healthy = false;
        await server.AdvanceUntilAsync(() => Task.FromResult(State.Status == MonitorStatus.Down), "the monitor goes down in memory");
        var downAt = State.Since!.Value;

        // A minute later there is room again: the change is written with the time it happened.
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        disk.Free();
        await server.AdvanceUntilAsync(async () =>
        {
            var response = await server.Http.GetAsync("/api/monitors/web/uptime?window=24h");
            return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("down_seconds").GetDouble() > 0;
        }, "the Down state change is saved");

        var monitor = await server.GetJsonAsync<JsonElement>("/api/monitors/web");
        Assert.Equal("down", monitor.GetProperty("status").GetString());
        Assert.Equal(downAt, monitor.GetProperty("status_since").GetDateTimeOffset());
        var uptime = await server.GetJsonAsync<JsonElement>("/api/monitors/web/uptime?window=24h");
        Assert.Equal((downAt - upAt).TotalSeconds, uptime.GetProperty("up_seconds").GetDouble(), precision: 3);
    }
}
