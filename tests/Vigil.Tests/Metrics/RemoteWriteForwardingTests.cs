using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vigil.Configuration;
using Vigil.Features.Metrics;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>
/// metrics.remote_write against real stores (Debian's victoria-metrics and prometheus 2.42) on
/// loopback: what Vigil ingests reaches them, through outages and restarts, without loss.
/// The stores are child processes, so their answers take real time; backoffs run on the test clock.
/// </summary>
public sealed class RemoteWriteForwardingTests
{
    private static readonly DateTimeOffset Base = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private static string Config(params (string Name, string Url, string Extra)[] endpoints) =>
        "metrics:\n  remote_write:\n" + string.Concat(endpoints.Select(e =>
            $"    - name: {e.Name}\n      url: {e.Url}\n      queue_config: {{max_samples_per_send: 100, min_backoff: 1s, max_backoff: 2s}}\n{e.Extra}"));

    /// <summary>Posts <paramref name="count"/> samples (one a second from <paramref name="first"/>) of 5 series of <paramref name="metric"/> to Vigil's receiver.</summary>
    private static async Task WriteAsync(TestServer server, string metric, int count, int first = 0)
    {
        var series = Enumerable.Range(0, 5).Select(s => new TimeSeries(
            Labels.From([new Label("__name__", metric), new Label("series", s.ToString(CultureInfo.InvariantCulture))]),
            [.. Enumerable.Range(first, count).Where(i => i % 5 == s).Select(i => new Sample(Base.AddSeconds(i).ToUnixTimeMilliseconds(), i))])).ToList();
        var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(series, [])));
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        var response = await server.Http.PostAsync("/prometheus/api/v1/write", content);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static Task<double> CountAsync(ExternalMetricsStore store, string metric) =>
        store.NumberAsync($"sum(count_over_time({metric}[3h]))", Base.AddHours(2));

    /// <summary>Waits (real time, at most 30 s) until the condition holds, moving the test clock a second each turn so backoffs pass.</summary>
    private static async Task EventuallyAsync(TestServer server, Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                var metrics = (await server.Http.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("prometheus_remote_storage", StringComparison.Ordinal));
                Assert.Fail($"timed out waiting for: {what}\n{string.Join('\n', metrics)}");
            }
            server.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
    }

    private static async Task<double> MetricAsync(TestServer server, string name, string remote)
    {
        var text = await server.Http.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains($"remote_name=\"{remote}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Samples_written_to_vigil_arrive_in_victoria_metrics_and_prometheus_with_the_queue_counters_on_metrics()
    {
        await using var vm = await ExternalMetricsStore.VictoriaMetricsAsync();
        await using var prometheus = await ExternalMetricsStore.PrometheusAsync();
        await using var server = await TestServer.StartAsync(configYaml: Config(("vm1", vm.WriteUrl, ""), ("prom1", prometheus.WriteUrl, "")));

        await WriteAsync(server, "fwd_total", 1000);

        await EventuallyAsync(server, async () => await CountAsync(vm, "fwd_total") == 1000, "1000 samples in victoria-metrics");
        await EventuallyAsync(server, async () => await CountAsync(prometheus, "fwd_total") == 1000, "1000 samples in prometheus");
        Assert.Equal(999, await vm.NumberAsync("max(fwd_total)", Base.AddSeconds(999)));
        Assert.Equal(1000, await MetricAsync(server, "prometheus_remote_storage_samples_total", "vm1"));
        Assert.Equal(Base.AddSeconds(999).ToUnixTimeMilliseconds() / 1000.0, await MetricAsync(server, "prometheus_remote_storage_queue_highest_sent_timestamp_seconds", "prom1"));
        Assert.Equal(0, await MetricAsync(server, "prometheus_remote_storage_samples_failed_total", "vm1"));
    }

    [Fact]
    public async Task A_store_outage_is_retried_with_backoff_and_loses_nothing()
    {
        await using var vm = await ExternalMetricsStore.VictoriaMetricsAsync();
        await using var server = await TestServer.StartAsync(configYaml: Config(("vm2", vm.WriteUrl, "")));
        await WriteAsync(server, "outage_total", 200);
        await EventuallyAsync(server, async () => await CountAsync(vm, "outage_total") == 200, "the first 200 samples");

        await vm.StopAsync();
        await WriteAsync(server, "outage_total", 300, first: 200);
        await EventuallyAsync(server, async () => await MetricAsync(server, "prometheus_remote_storage_samples_retried_total", "vm2") > 0, "a retry");
        await vm.StartAsync();

        await EventuallyAsync(server, async () => await CountAsync(vm, "outage_total") == 500, "all 500 samples after the outage");
        Assert.Equal(0, await MetricAsync(server, "prometheus_remote_storage_samples_failed_total", "vm2"));
    }

    [Fact]
    public async Task A_vigil_restart_while_the_store_is_down_resumes_from_the_saved_position_without_loss()
    {
        await using var vm = await ExternalMetricsStore.VictoriaMetricsAsync();
        var server = await TestServer.StartAsync(configYaml: Config(("vm3", vm.WriteUrl, "")));
        try
        {
            await WriteAsync(server, "restart_total", 100);
            await EventuallyAsync(server, async () => await CountAsync(vm, "restart_total") == 100, "the first 100 samples");
            await vm.StopAsync();
            await WriteAsync(server, "restart_total", 400, first: 100);
            await EventuallyAsync(server, async () => await MetricAsync(server, "prometheus_remote_storage_samples_retried_total", "vm3") > 0, "a failed send");

            server = await server.RestartAsync(TimeSpan.FromMinutes(1));
            var position = await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "metrics", "wal", "remote-write-vm3.position"));
            Assert.NotEqual("", position.Trim());
            await vm.StartAsync();
            await WriteAsync(server, "restart_total", 100, first: 500);

            await EventuallyAsync(server, async () => await CountAsync(vm, "restart_total") == 600, "all 600 samples, those written before the restart too");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_400_from_the_store_is_not_retried_and_its_samples_count_as_failed()
    {
        await using var receiver = await NotificationReceiver.StartAsync();
        receiver.Status = 400;
        receiver.ResponseBody = "out of bounds";
        await using var server = await TestServer.StartAsync(configYaml: Config(("bad", receiver.Url + "/api/v1/write", "")));

        await WriteAsync(server, "rejected_total", 50);
        await EventuallyAsync(server, async () => await MetricAsync(server, "prometheus_remote_storage_samples_failed_total", "bad") == 50, "50 failed samples");
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("snappy", request.Header("Content-Encoding"));
        Assert.Equal("0.1.0", request.Header("X-Prometheus-Remote-Write-Version"));
        Assert.Equal(50, RemoteWriteDecoder.Decode(request.Body).SampleCount);
        Assert.Equal(0, await MetricAsync(server, "prometheus_remote_storage_samples_retried_total", "bad"));
    }

    [Fact]
    public async Task Write_relabel_configs_drop_series_before_they_are_sent_and_count_them_as_dropped()
    {
        await using var vm = await ExternalMetricsStore.VictoriaMetricsAsync();
        await using var server = await TestServer.StartAsync(configYaml: Config(("vm4", vm.WriteUrl, """
                  write_relabel_configs:
                    - source_labels: [__name__]
                      regex: secret_.*
                      action: drop

            """)));
        await WriteAsync(server, "secret_total", 40);
        await WriteAsync(server, "public_total", 60);

        await EventuallyAsync(server, async () => await CountAsync(vm, "public_total") == 60, "the public series");
        Assert.Equal(0, await CountAsync(vm, "secret_total"));
        Assert.Equal(40, await MetricAsync(server, "prometheus_remote_storage_samples_dropped_total", "vm4"));
    }

    [Fact]
    public void Remote_write_mistakes_are_reported_with_line_and_reason()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            metrics:
              remote_write:
                - url: ftp://store/write
                  queue_config: {max_shards: 0, min_backoff: 10s}
                - name: "a b"
                  url: http://127.0.0.1:8428/api/v1/write
                  authorization: {type: basic, credentials: x}
                  write_relabel_configs:
                    - action: shuffle
              query_url: not-a-url
            """, new System.Collections.Hashtable());
        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:3:", StringComparison.Ordinal) && e.Contains("is not an http or https URL", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("min_backoff", StringComparison.Ordinal) || e.Contains("must not be greater than max_backoff", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("may only contain letters", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("use \"basic_auth\" instead", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown relabel action", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:10:", StringComparison.Ordinal) && e.Contains("not-a-url", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("min_shards", StringComparison.Ordinal) || e.Contains("must not be greater than max_shards", StringComparison.Ordinal));
        Assert.Equal(8, errors.Count);
    }
}
