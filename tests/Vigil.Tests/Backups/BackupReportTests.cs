using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Backups;

/// <summary>Backup jobs report each backup by API or by a JSON body on their heartbeat's ping; malformed reports are refused and not counted.</summary>
public abstract class BackupReportTests : IAsyncLifetime
{
    private const string PingToken = "orders-backup-token-0001";
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
        services: [{name: orders}]
        monitors:
          - {name: orders-backup, type: heartbeat, service: orders, period: 1d, token: {{PingToken}}}
        backup_policies:
          - name: orders-db
            service: orders
            heartbeat: orders-backup
            tier: critical
            kinds:
              - {kind: full, schedule: "0 2 * * *"}
              - {kind: wal, every: 5m}
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<List<JsonElement>> CatalogAsync() =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>("/api/backups/policies/orders-db/reports")).EnumerateArray()];

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
    }

    [Fact]
    public async Task A_reported_backup_is_in_the_catalog_and_malformed_ones_are_refused_naming_the_field()
    {
        var operatorClient = await server.ClientFor(Vigil.Features.Access.Role.Operator);
        var created = await operatorClient.PostAsync("/api/backups/reports", Json("""
            {"policy": "orders-db", "kind": "full", "started_at": "2026-11-02T02:00:00Z", "finished_at": "2026-11-02T02:20:00Z",
             "size_bytes": 1073741824, "checksum": "sha256:ab12", "location": "s3://backups/orders/2026-11-02.dump", "status": "success"}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await AssertProblemAsync(await operatorClient.PostAsync("/api/backups/reports", Json("""{"policy": "orders-db", "kind": "full", "size_bytes": "big"}""")), HttpStatusCode.BadRequest, "size_bytes");
        await AssertProblemAsync(await operatorClient.PostAsync("/api/backups/reports", Json("""{"policy": "orders-db", "kind": "tape"}""")), HttpStatusCode.BadRequest, "kind");
        await AssertProblemAsync(await operatorClient.PostAsync("/api/backups/reports", Json("""{"policy": "orders-db", "kind": "wal", "status": "meh"}""")), HttpStatusCode.BadRequest, "status");
        await AssertProblemAsync(await operatorClient.PostAsync("/api/backups/reports", Json("""{"policy": "orders-db", "kind": "wal", "finished_at": "2026-11-02T02:00:00Z", "started_at": "2026-11-02T03:00:00Z"}""")), HttpStatusCode.BadRequest, "started_at");
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.PostAsync("/api/backups/reports", Json("""{"policy": "nope", "kind": "full"}"""))).StatusCode);
        var viewer = await server.ClientFor(Vigil.Features.Access.Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/backups/reports", Json("""{"policy": "orders-db", "kind": "full"}"""))).StatusCode);

        var report = Assert.Single(await CatalogAsync());
        Assert.Equal(("full", "success", 1073741824L, "sha256:ab12", "s3://backups/orders/2026-11-02.dump", "api"),
            (report.GetProperty("kind").GetString(), report.GetProperty("status").GetString(), report.GetProperty("size_bytes").GetInt64(),
             report.GetProperty("checksum").GetString(), report.GetProperty("location").GetString(), report.GetProperty("source").GetString()));
        Assert.Contains(await server.AuditAsync(), e => e.Action == "report" && e.Resource == "backup" && e.ResourceId == "orders-db");
    }

    [Fact]
    public async Task Vigil_backup_report_records_a_backup_and_exits_1_naming_the_field_when_refused()
    {
        var token = (await TestServer.CreateTokenAsync(server.Http, "backup-job", Vigil.Features.Access.Role.Operator)).Token;
        var url = server.BaseAddress.ToString();

        var ok = await SelfBackupTests.RunAsync("backup", "report", "--policy", "orders-db", "--kind", "wal", "--size-bytes", "4096", "--location", "s3://wal/0001", "--server", url, "--token", token);
        var refused = await SelfBackupTests.RunAsync("backup", "report", "--policy", "orders-db", "--kind", "tape", "--server", url, "--token", token);

        Assert.True(ok.Exit == 0, ok.Error);
        Assert.StartsWith("reported wal backup (success)", ok.Output);
        Assert.Equal(1, refused.Exit);
        Assert.Contains("400", refused.Error);
        var report = Assert.Single(await CatalogAsync());
        Assert.Equal(("wal", 4096L, "s3://wal/0001"), (report.GetProperty("kind").GetString(), report.GetProperty("size_bytes").GetInt64(), report.GetProperty("location").GetString()));
    }

    [Fact]
    public async Task A_heartbeat_ping_with_a_json_body_is_a_report_and_a_plain_ping_still_beats()
    {
        var plain = await server.Anonymous.GetAsync($"/ping/{PingToken}");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Empty(await CatalogAsync());

        var reported = await server.Anonymous.PostAsync($"/ping/{PingToken}", Json("""{"kind": "wal", "size_bytes": 16777216, "status": "success"}"""));
        Assert.Equal(HttpStatusCode.OK, reported.StatusCode);
        var failed = await server.Anonymous.PostAsync($"/ping/{PingToken}", Json("""{"kind": "full", "status": "failure", "log": "pg_dump: disk full"}"""));
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        var monitor = await server.Http.GetFromJsonAsync<JsonElement>("/api/monitors/orders-backup");
        Assert.Equal("down", monitor.GetProperty("status").GetString());

        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await AssertProblemAsync(await server.Anonymous.PostAsync($"/ping/{PingToken}", Json("""{"kind": "wal", "finished_at": "yesterday"}""")), HttpStatusCode.BadRequest, "finished_at");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.PostAsync("/ping/unknown-token-000000000", Json("""{"kind": "wal"}"""))).StatusCode);

        var catalog = await CatalogAsync();
        Assert.Equal(["full failure pg_dump: disk full", "wal success "], catalog.Select(r => $"{r.GetProperty("kind").GetString()} {r.GetProperty("status").GetString()} {r.GetProperty("log").GetString()}"));
        Assert.All(catalog, r => Assert.Equal("ping", r.GetProperty("source").GetString()));
        // The refused ping was not counted: the heartbeat is still down from the failed backup.
        Assert.Equal("down", (await server.Http.GetFromJsonAsync<JsonElement>("/api/monitors/orders-backup")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_seventy_minute_restore_drill_against_the_one_hour_rto_of_a_critical_policy_is_a_breach_in_its_status()
    {
        var operatorClient = await server.ClientFor(Vigil.Features.Access.Role.Operator);
        var response = await operatorClient.PostAsync("/api/backups/policies/orders-db/drills", Json("""{"duration": "70m", "log": "restored orders-db on dr-1"}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var drill = JsonDocument.Parse(text).RootElement;
        Assert.Equal(("1h10m", "1h", false, "restore"), (drill.GetProperty("duration").GetString(), drill.GetProperty("rto").GetString(), drill.GetProperty("within_rto").GetBoolean(),
            drill.GetProperty("report").GetProperty("kind").GetString()));

        await AssertProblemAsync(await operatorClient.PostAsync("/api/backups/policies/orders-db/drills", Json("""{"duration": "soon"}""")), HttpStatusCode.BadRequest, "duration");
        await AssertProblemAsync(await operatorClient.PostAsync("/api/backups/policies/orders-db/drills", Json("""{"status": "fine"}""")), HttpStatusCode.BadRequest, "started_at");
        await AssertProblemAsync(await operatorClient.PostAsync("/api/backups/policies/orders-db/drills", Json("""{"duration": "1h", "status": "fine"}""")), HttpStatusCode.BadRequest, "status");
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.PostAsync("/api/backups/policies/nope/drills", Json("""{"duration": "1h"}"""))).StatusCode);
        var viewer = await server.ClientFor(Vigil.Features.Access.Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/backups/policies/orders-db/drills", Json("""{"duration": "1h"}"""))).StatusCode);

        var status = await viewer.GetFromJsonAsync<JsonElement>("/api/backups/policies/orders-db");
        var last = status.GetProperty("last_drill");
        Assert.Equal(("1h10m", "1h", false), (last.GetProperty("duration").GetString(), last.GetProperty("rto").GetString(), last.GetProperty("within_rto").GetBoolean()));
        Assert.Equal("critical", status.GetProperty("state").GetString());
        Assert.Contains(status.GetProperty("findings").EnumerateArray(), f => f.GetProperty("alert").GetString() == "BackupRtoBreach");
        Assert.Single(await CatalogAsync());
        Assert.Contains(await server.AuditAsync(), e => e.Action == "drill" && e.Resource == "backup" && e.ResourceId == "orders-db");

        // A drill reported by the job's heartbeat ping (kind restore) is the newest drill: 45 minutes is within the RTO.
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        var now = server.Clock.GetUtcNow();
        var ping = await server.Anonymous.PostAsync($"/ping/{PingToken}", Json($$"""{"kind": "restore", "started_at": "{{now.AddMinutes(-45):O}}", "finished_at": "{{now:O}}"}"""));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        status = await viewer.GetFromJsonAsync<JsonElement>("/api/backups/policies/orders-db");
        Assert.Equal(("45m", true), (status.GetProperty("last_drill").GetProperty("duration").GetString(), status.GetProperty("last_drill").GetProperty("within_rto").GetBoolean()));
        Assert.DoesNotContain(status.GetProperty("findings").EnumerateArray(), f => f.GetProperty("alert").GetString() == "BackupRtoBreach");
    }

    [Fact]
    public async Task Vigil_backup_drill_records_a_drill_and_says_it_breached_the_rto()
    {
        var token = (await TestServer.CreateTokenAsync(server.Http, "dr-team", Vigil.Features.Access.Role.Operator)).Token;
        var url = server.BaseAddress.ToString();

        var slow = await SelfBackupTests.RunAsync("backup", "drill", "--policy", "orders-db", "--duration", "70m", "--server", url, "--token", token);
        var refused = await SelfBackupTests.RunAsync("backup", "drill", "--policy", "orders-db", "--server", url, "--token", token);

        Assert.True(slow.Exit == 0, slow.Error);
        Assert.Equal("recorded restore drill (success) for orders-db: took 1h10m, RTO BREACH: longer than the RTO of 1h", slow.Output.Trim());
        Assert.Equal(1, refused.Exit);
        Assert.Contains("started_at", refused.Error);
    }
}

public sealed class BackupReportOnSqlite : BackupReportTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class BackupReportOnPostgres(PostgresServer postgres) : BackupReportTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}

/// <summary>The RPO check end to end: a missing WAL backup raises BackupMissing through the alert pipeline, the next report resolves it.</summary>
public sealed class BackupAlertTests
{
    [Fact]
    public async Task A_five_minute_wal_policy_alerts_after_five_minutes_plus_grace_and_resolves_on_the_next_report()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            services: [{name: orders}]
            backup_policies:
              - {name: orders-wal, service: orders, grace: 1m, kinds: [{kind: wal, every: 5m}]}
            """);
        var report = new StringContent("""{"policy": "orders-wal", "kind": "wal"}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsync("/api/backups/reports", report)).StatusCode);

        server.Clock.Advance(TimeSpan.FromMinutes(7));
        var alert = await WaitForAsync(server, a => a.Labels.Get("alertname") == "BackupMissing", "BackupMissing to fire");
        Assert.Equal(("orders-wal", "wal", "orders", "critical"), (alert.Labels.Get("policy"), alert.Labels.Get("kind"), alert.Labels.Get("service"), alert.Labels.Get("severity")));
        Assert.Null(await server.ResolvedAtAsync(alert.Labels));

        report = new StringContent("""{"policy": "orders-wal", "kind": "wal"}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsync("/api/backups/reports", report)).StatusCode);
        server.Clock.Advance(CheckBackupsPeriod);
        var started = TimeProvider.System.GetTimestamp();
        while (await server.ResolvedAtAsync(alert.Labels) is null)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < Patience.Of(TimeSpan.FromSeconds(10)), "BackupMissing was not resolved after the next report");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }

    [Fact]
    public async Task A_failed_verification_and_a_backup_a_tenth_of_its_usual_size_alert_and_resolve_when_fixed()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            services: [{name: orders}]
            backup_policies:
              - {name: orders-db, service: orders, kinds: [{kind: full, every: 1d}]}
            """);
        async Task ReportAsync(string json) =>
            Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsync("/api/backups/reports", new StringContent(json, Encoding.UTF8, "application/json"))).StatusCode);
        foreach (var size in new[] { 1000, 1100, 900, 100 })
        {
            await ReportAsync($$"""{"policy": "orders-db", "kind": "full", "size_bytes": {{size}}}""");
            server.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await ReportAsync("""{"policy": "orders-db", "kind": "verification", "status": "failure", "log": "pg_restore: checksum mismatch"}""");

        server.Clock.Advance(CheckBackupsPeriod);
        var failed = await WaitForAsync(server, a => a.Labels.Get("alertname") == "BackupVerificationFailed", "BackupVerificationFailed to fire");
        var small = await WaitForAsync(server, a => a.Labels.Get("alertname") == "BackupSizeAnomaly", "BackupSizeAnomaly to fire");
        Assert.Equal(("orders", "critical"), (failed.Labels.Get("service"), failed.Labels.Get("severity")));
        Assert.Equal(("full", "warning"), (small.Labels.Get("kind"), small.Labels.Get("severity")));

        await ReportAsync("""{"policy": "orders-db", "kind": "verification"}""");
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        await ReportAsync("""{"policy": "orders-db", "kind": "full", "size_bytes": 1050}""");
        server.Clock.Advance(CheckBackupsPeriod);
        await WaitResolvedAsync(server, failed.Labels);
        await WaitResolvedAsync(server, small.Labels);
    }

    [Fact]
    public async Task A_seventy_minute_drill_against_a_one_hour_rto_alerts_and_an_overdue_drill_schedule_alerts_too()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            services: [{name: orders}]
            backup_policies:
              - {name: orders-db, service: orders, rto: 1h, drill_schedule: weekly, kinds: [{kind: full, every: 1d}]}
            """);
        var drill = new StringContent("""{"duration": "70m"}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsync("/api/backups/policies/orders-db/drills", drill)).StatusCode);

        server.Clock.Advance(CheckBackupsPeriod);
        var breach = await WaitForAsync(server, a => a.Labels.Get("alertname") == "BackupRtoBreach", "BackupRtoBreach to fire");
        Assert.Equal(("orders-db", "restore", "orders", "critical"), (breach.Labels.Get("policy"), breach.Labels.Get("kind"), breach.Labels.Get("service"), breach.Labels.Get("severity")));
        Assert.Equal("orders-db: the last restore drill took 1h10m, longer than the RTO of 1h", breach.Annotations.Get("summary"));

        drill = new StringContent("""{"duration": "50m"}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsync("/api/backups/policies/orders-db/drills", drill)).StatusCode);
        server.Clock.Advance(CheckBackupsPeriod);
        await WaitResolvedAsync(server, breach.Labels);

        // Weekly drills: 7d plus 10% grace after the last one, the schedule is overdue.
        server.Clock.Advance(TimeSpan.FromDays(8));
        var overdue = await WaitForAsync(server, a => a.Labels.Get("alertname") == "BackupDrillOverdue", "BackupDrillOverdue to fire");
        Assert.Equal(("restore", "warning"), (overdue.Labels.Get("kind"), overdue.Labels.Get("severity")));
    }

    internal static async Task WaitResolvedAsync(TestServer server, Vigil.Metrics.Labels labels)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (await server.ResolvedAtAsync(labels) is null)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < Patience.Of(TimeSpan.FromSeconds(10)), $"{labels} was not resolved");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }

    private static readonly TimeSpan CheckBackupsPeriod = Vigil.Features.Backups.CheckBackups.Period;

    internal static async Task<Vigil.Features.Alerting.StoredAlert> WaitForAsync(TestServer server, Func<Vigil.Features.Alerting.StoredAlert, bool> match, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if ((await server.StoredAlertsAsync()).FirstOrDefault(match) is { } found)
            {
                return found;
            }
            Assert.True(TimeProvider.System.GetElapsedTime(started) < Patience.Of(TimeSpan.FromSeconds(10)), $"waited for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }
}
