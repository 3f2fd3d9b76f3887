using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cluster;

/// <summary>
/// Real <c>vigil serve</c> replicas over one real PostgreSQL, killed and paused with real signals.
/// Leases expire on the database's clock, so these tests run in real time with a short
/// <c>cluster.lease_ttl</c> (2 s). The receiver must get every notification, and each idempotency
/// key accepted once, whichever replica held the dispatcher and the outbox when; and every sample a
/// replica acknowledged (remote-write's 2xx, after its WAL fsync) must reach the shared
/// victoria-metrics through <c>metrics.remote_write</c>, the killed replica's after its restart.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaFailoverTests(PostgresServer postgres) : IAsyncLifetime
{
    /// <summary>How long a wait for something the test expects may take before it fails (40 s by default).</summary>
    private static readonly TimeSpan Bound = Patience.Of(TimeSpan.FromSeconds(10));
    /// <summary>The token of the <c>alertmanager</c> integration that inbound alerts are posted with, as Prometheus would.</summary>
    private const string IntegrationToken = "replica-failover-test-token-0123456789";
    /// <summary>Level 1 of the escalation policy waits this long (server clock: real time in the replicas) before level 2 is paged.</summary>
    private static readonly TimeSpan EscalationDelay = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(2);
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"vigil-replicas-{Guid.NewGuid():N}");
    private readonly List<ChildProcessServer> replicas = [];
    private NotificationReceiver receiver = null!;
    private ExternalMetricsStore store = null!;
    /// <summary>The batches of samples a replica answered 2xx to, by their <c>batch</c> label: the timestamps (ms) of their samples.</summary>
    private readonly Dictionary<string, long[]> acknowledged = [];
    private string database = "";
    private string config = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        receiver = await NotificationReceiver.StartAsync();
        store = await ExternalMetricsStore.VictoriaMetricsAsync();
        database = await postgres.CreateDatabaseAsync();
        await File.WriteAllTextAsync(Path.Combine(directory, "rules.yml"), """
            groups:
              - name: always
                interval: 1s
                rules:
                  - alert: AlwaysFiring
                    expr: vector(1)
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "integration.token"), IntegrationToken);
        config = Path.Combine(directory, "vigil.yaml");
        await File.WriteAllTextAsync(config, $$"""
            cluster:
              lease_ttl: {{(int)LeaseTtl.TotalSeconds}}s
            services: [{name: shop}]
            notifications:
              initial_backoff: 1s
              max_backoff: 2s
            channels:
              - {name: ops, type: webhook, url: "{{receiver.Url}}/hook", timeout: 5s}
            alerting:
              rule_files: [{{Path.Combine(directory, "rules.yml")}}]
              integrations: [{name: prometheus, type: alertmanager, token_file: "{{Path.Combine(directory, "integration.token")}}"}]
            routing:
              route:
                receiver: ops
                group_by: [alertname]
                group_wait: 0s
                group_interval: 1s
                repeat_interval: 1h
            monitors:
              - {name: receiver-up, type: http, service: shop, url: "{{receiver.Url}}/health", interval: 5s}
            contacts:
              - {name: first-line, webhook: "{{receiver.Url}}/level1"}
              - {name: second-line, webhook: "{{receiver.Url}}/level2"}
            escalation_policies:
              - name: failover
                levels:
                  - targets: [{contact: first-line}]
                    delay: {{(int)EscalationDelay.TotalSeconds}}s
                  - targets: [{contact: second-line}]
            incidents:
              escalation_policy: failover
            metrics:
              remote_write:
                - name: vm
                  url: {{store.WriteUrl}}
                  queue_config: {max_samples_per_send: 500, min_backoff: 100ms, max_backoff: 1s}
            """);
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }
        await receiver.DisposeAsync();
        await store.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    private ChildProcessServer NewReplica(int index)
    {
        var replica = new ChildProcessServer(Path.Combine(directory, $"replica-{index}"), config, database);
        replicas.Add(replica);
        return replica;
    }

    /// <summary>The first creates the schema and the administrator; the others then start together.</summary>
    private static async Task StartAllAsync(List<ChildProcessServer> replicas)
    {
        await replicas[0].StartAsync(TimeSpan.FromSeconds(90));
        await Task.WhenAll(replicas.Skip(1).Select(r => r.StartAsync(TimeSpan.FromSeconds(90))));
    }

    private async Task<string?> HolderAsync(string lease)
    {
        var settings = Vigil.Data.DatabaseSettings.Parse(database, directory);
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT holder FROM leases WHERE name = @name AND expires_at > now()", connection);
        command.Parameters.AddWithValue("name", lease);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>The running replica whose member id (host-PID-suffix) names the lease's holder.</summary>
    private async Task<ChildProcessServer> HolderReplicaAsync(string lease, IEnumerable<ChildProcessServer> running)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(deadline) < Bound)
        {
            if (await HolderAsync(lease) is { } holder && running.FirstOrDefault(r => holder.Contains($"-{r.Pid}-", StringComparison.Ordinal)) is { } found)
            {
                return found;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
        throw new TimeoutException($"no running replica holds {lease}");
    }

    private async Task PostAlertAsync(ChildProcessServer replica, string name)
    {
        using var prometheus = new HttpClient { BaseAddress = replica.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        prometheus.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", IntegrationToken);
        var response = await prometheus.PostAsJsonAsync("/api/v2/alerts", new[] { new { labels = new Dictionary<string, string> { ["alertname"] = name, ["severity"] = "critical" } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private bool Received(string alertname) =>
        receiver.Requests.Any(r => r.Path == "/hook" && r.Answered == 200 && r.Text.Contains($"\"alertname\":\"{alertname}\"", StringComparison.Ordinal));

    private async Task WaitForAsync(Func<bool> condition, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > Bound)
            {
                throw new TimeoutException($"{what} not within {Bound}; received: {string.Join(" | ", receiver.Requests.Select(r => r.Path))}\n"
                    + string.Join("\n----\n", replicas.Select(r => r.Log)));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
    }

    /// <summary>
    /// Remote-writes one batch of <paramref name="count"/> samples of a series of its own (label
    /// <c>batch</c>) to <paramref name="replica"/>, as Prometheus would, and records it as
    /// acknowledged when the replica answers 2xx. A replica killed mid-request acknowledges nothing.
    /// </summary>
    private async Task PushSamplesAsync(ChildProcessServer replica, string batch, int count = 200)
    {
        var newest = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var timestamps = Enumerable.Range(0, count).Select(i => newest - ((count - 1 - i) * 10L)).ToArray();
        var series = new TimeSeries(Labels.From([new Label("__name__", "failover_samples"), new Label("batch", batch)]), [.. timestamps.Select((t, i) => new Sample(t, i))]);
        using var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest([series], [])));
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        try
        {
            using var response = await replica.Http.PostAsync("/prometheus/api/v1/write", content);
            if (response.IsSuccessStatusCode)
            {
                lock (acknowledged)
                {
                    acknowledged.Add(batch, timestamps);
                }
            }
        }
        catch (HttpRequestException)
        {
            // The replica died before answering: not acknowledged, so nothing is owed.
        }
        catch (TaskCanceledException)
        {
        }
    }

    /// <summary>Acknowledged samples (batch and timestamp) that victoria-metrics does not hold, read exactly with <c>/api/v1/export</c>.</summary>
    private async Task<List<string>> MissingSamplesAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var export = await http.GetStringAsync($"{store.BaseUrl}/api/v1/export?match[]={Uri.EscapeDataString("failover_samples")}");
        var stored = new HashSet<(string, long)>();
        foreach (var line in export.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var series = JsonDocument.Parse(line);
            var batch = series.RootElement.GetProperty("metric").GetProperty("batch").GetString()!;
            foreach (var t in series.RootElement.GetProperty("timestamps").EnumerateArray())
            {
                stored.Add((batch, t.GetInt64()));
            }
        }
        lock (acknowledged)
        {
            return [.. acknowledged.SelectMany(b => b.Value.Where(t => !stored.Contains((b.Key, t))).Select(t => $"{b.Key}@{t.ToString(CultureInfo.InvariantCulture)}"))];
        }
    }

    /// <summary>
    /// SIGKILLs <paramref name="victim"/> after pushing a batch to it and to a survivor (both
    /// acknowledged before the kill), with one more batch to the victim in flight as the signal lands.
    /// </summary>
    private async Task KillWhileIngestingAsync(ChildProcessServer victim, ChildProcessServer survivor, int kill)
    {
        await PushSamplesAsync(victim, $"kill{kill}-victim");
        await PushSamplesAsync(survivor, $"kill{kill}-survivor");
        Assert.True(acknowledged.ContainsKey($"kill{kill}-victim") && acknowledged.ContainsKey($"kill{kill}-survivor"), "a live replica refused a remote-write");
        var inFlight = PushSamplesAsync(victim, $"kill{kill}-in-flight");
        await victim.SignalAsync("KILL");
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await inFlight;
    }

    private List<NotificationReceiver.Received> Delivered(string path) => [.. receiver.Requests.Where(r => r.Path == path && r.Answered is >= 200 and < 300)];

    private IReadOnlyList<TimeSpan> MonitorGaps()
    {
        var checks = receiver.Requests.Where(r => r.Path == "/health").Select(r => r.At).Order().ToList();
        return [.. checks.Zip(checks.Skip(1), (a, b) => b - a)];
    }

    [Fact]
    public async Task Killing_the_lease_holders_one_after_another_loses_no_notification_and_sends_none_twice()
    {
        var running = new List<ChildProcessServer> { NewReplica(0), NewReplica(1), NewReplica(2) };
        await StartAllAsync(running);
        await WaitForAsync(() => Received("AlwaysFiring"), "the rule alert");
        await PostAlertAsync(running[0], "Inbound0");
        await WaitForAsync(() => Received("Inbound0"), "the first inbound alert");

        for (var kill = 1; kill <= 2; kill++)
        {
            var holder = await HolderReplicaAsync("dispatch", running);
            running.Remove(holder);
            await KillWhileIngestingAsync(holder, running[0], kill);
            // Posted to a survivor while the dead replica still holds its leases: sent once they move.
            await PostAlertAsync(running[0], $"Inbound{kill}");
            await WaitForAsync(() => Received($"Inbound{kill}"), $"inbound alert {kill} after kill {kill}");
            // Restarted on its own data directory, so its WAL and its remote-write queue's position are back.
            await holder.StartAsync(TimeSpan.FromSeconds(90));
            running.Add(holder);
        }

        // A P1 incident pages level 1; the replica holding the escalation lease dies before level 2
        // is due, so a survivor must take the lease over and page level 2, once and on time.
        var posted = TimeProvider.System.GetUtcNow();
        var opened = await running[0].Http.PostAsJsonAsync("/api/incidents", new { title = "Checkout down during failover", severity = "P1", services = new[] { new { service = "shop", impact = "major_outage" } } });
        Assert.True(opened.StatusCode == HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        await WaitForAsync(() => Delivered("/level1").Count > 0, "level 1 of the page");
        var escalator = await HolderReplicaAsync("escalation", running);
        running.Remove(escalator);
        Assert.Empty(Delivered("/level2"));
        // Not restarted (that would only add time): samples were pushed around the first two kills.
        await escalator.SignalAsync("KILL");
        await escalator.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var killed = TimeProvider.System.GetUtcNow();
        await WaitForAsync(() => Delivered("/level2").Count > 0, "level 2 of the page after its escalator was killed");

        await PostAlertAsync(running[^1], "InboundLast");
        await WaitForAsync(() => Received("InboundLast"), "the last inbound alert");

        Assert.All(receiver.AcceptedKeys, key => Assert.True(key.Value == 1, $"idempotency key {key.Key} accepted {key.Value} times"));
        Assert.Equal(5, Delivered("/hook").Select(r => r.Header("Idempotency-Key")).Distinct().Count());
        // Level 2: exactly once, by a survivor (after the escalator died), not before its delay and
        // at most two TTLs late (the lease moves within TTL + TTL/3, the outbox's too), plus slack.
        var level2 = Assert.Single(Delivered("/level2"));
        Assert.Single(Delivered("/level1"));
        Assert.True(level2.At > killed, $"level 2 was paged at {level2.At:O}, before the escalator was killed at {killed:O}");
        Assert.True(level2.At - posted >= EscalationDelay, $"level 2 was paged {level2.At - posted} after the incident opened, before the delay of {EscalationDelay}");
        var late = EscalationDelay + (2 * LeaseTtl) + Patience.Of(TimeSpan.FromSeconds(1));
        Assert.True(level2.At - posted <= late, $"level 2 was paged {level2.At - posted} after the incident opened, later than {late}");
        // Every sample acknowledged by a replica, killed or not, is in the shared store; the killed
        // replicas' only after their restart resumed their queues from the WAL.
        var missing = await MissingSamplesAsync();
        var waited = TimeProvider.System.GetTimestamp();
        while (missing.Count > 0 && TimeProvider.System.GetElapsedTime(waited) < Patience.Of(TimeSpan.FromSeconds(15)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System);
            missing = await MissingSamplesAsync();
        }
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged samples not in victoria-metrics, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.True(acknowledged.Count >= 4, $"only {acknowledged.Count} batches acknowledged");
        // Monitors: checked every 5 s. A kill moves the dead replica's share within a TTL and a third
        // (2.7 s) and the survivor checks at once a monitor whose last known check is an interval old
        // (docs/ha-leases.md), so no gap reaches two intervals.
        Assert.All(MonitorGaps(), gap => Assert.True(gap < TimeSpan.FromSeconds(10), $"the monitor went unchecked for {gap}"));
    }

    [Fact]
    public async Task A_lease_holder_paused_past_its_ttl_loses_its_leases_and_sends_nothing_twice()
    {
        var running = new List<ChildProcessServer> { NewReplica(0), NewReplica(1) };
        await StartAllAsync(running);
        await WaitForAsync(() => Received("AlwaysFiring"), "the rule alert");
        var paused = await HolderReplicaAsync("notifications/outbox", running);
        var other = running.Single(r => r != paused);

        await paused.SignalAsync("STOP");
        try
        {
            await PostAlertAsync(other, "WhilePaused");
            await WaitForAsync(() => Received("WhilePaused"), "the alert posted while the holder was paused");
            Assert.Same(other, await HolderReplicaAsync("notifications/outbox", running));
        }
        finally
        {
            await paused.SignalAsync("CONT");
        }
        await WaitForAsync(() => paused.Log.Contains("lost lease", StringComparison.Ordinal), "the woken replica noticing it lost its leases");
        await PostAlertAsync(paused, "AfterResume");
        await WaitForAsync(() => Received("AfterResume"), "the alert posted to the woken replica");

        Assert.All(receiver.AcceptedKeys, key => Assert.True(key.Value == 1, $"idempotency key {key.Key} accepted {key.Value} times"));
        Assert.Equal(3, receiver.AcceptedKeys.Count);
    }
}
