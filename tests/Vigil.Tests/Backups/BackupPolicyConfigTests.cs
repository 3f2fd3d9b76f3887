using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Configuration;
using Vigil.Tests.Support;

namespace Vigil.Tests.Backups;

/// <summary><c>backup_policies:</c> in vigil.yaml: checked with file:line, served by <c>GET /api/backups/policies</c>.</summary>
public sealed class BackupPolicyConfigTests
{
    private const string Policies = """
        services: [{name: orders}]
        backup_policies:
          - name: orders-db
            service: orders
            tier: critical
            kinds:
              - {kind: full, schedule: "0 2 * * *"}
              - {kind: wal, every: 5m}
            retention: {daily: 30, weekly: 12, monthly: 12, yearly: 7}
            drill_schedule: quarterly
          - name: files
            rpo: 1h
            rto: 1h
            grace: 5m
            kinds: [{kind: replication, every: 1m}]
        """;

    [Fact]
    public void A_policy_with_bad_values_is_reported_at_its_line_with_every_reason()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            services: [{name: orders}]
            backup_policies:
              - name: orders-db
                service: payments
                tier: platinum
                rpo: 0s
                kinds:
                  - {kind: tape, every: 1d}
                  - {kind: full}
                  - {kind: wal, schedule: "every five minutes"}
                retention: {daily: -1}
                size_anomaly_ratio: 0.5
                drill_schedule: biennial
                size_anomaly_window: 2
                verify_every: 10s
            """, new Hashtable());

        Assert.Equal(
        [
            "vigil.yaml:4:14: unknown service \"payments\" (define it under services:)",
            "vigil.yaml:5:11: unknown tier \"platinum\": use one of critical, important, standard",
            "vigil.yaml:6:10: must be more than 0",
            "vigil.yaml:8:16: unknown kind \"tape\": use one of full, incremental, wal, snapshot, replication",
            "vigil.yaml:9:9: give exactly one of every (a period, e.g. 5m) and schedule (cron, e.g. \"0 2 * * *\")",
            "vigil.yaml:10:31: \"every five minutes\" is not a five-field cron expression",
            "vigil.yaml:11:24: must be 0 to 10000",
            "vigil.yaml:12:25: must be more than 1 (or 0 to turn the check off)",
            "vigil.yaml:13:21: unknown drill schedule \"biennial\": use one of weekly, monthly, quarterly, annual or a five-field cron expression",
            "vigil.yaml:14:26: must be 3 to 1000",
            "vigil.yaml:15:19: must be at least 1m",
        ], loaded.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task The_api_lists_policies_with_targets_from_their_tier_unless_given()
    {
        await using var server = await TestServer.StartAsync(configYaml: Policies);
        var viewer = await server.ClientFor(Vigil.Features.Access.Role.Viewer);

        var response = await viewer.GetAsync("/api/backups/policies");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policies = await response.Content.ReadFromJsonAsync<JsonElement>();
        var orders = policies[0];
        Assert.Equal(("orders-db", "orders", "15m", "1h"), (orders.GetProperty("name").GetString(), orders.GetProperty("service").GetString(), orders.GetProperty("rpo").GetString(), orders.GetProperty("rto").GetString()));
        Assert.Equal(["full 0 2 * * * grace 2h24m", "wal 5m grace 1m"],
            orders.GetProperty("kinds").EnumerateArray().Select(k => $"{k.GetProperty("kind").GetString()} {k.GetProperty("schedule").GetString()} grace {k.GetProperty("grace").GetString()}"));
        Assert.Equal("{\"daily\":30,\"weekly\":12,\"monthly\":12,\"yearly\":7}", orders.GetProperty("retention").GetRawText());
        var files = policies[1];
        Assert.Equal(("1h", "1h", "5m"), (files.GetProperty("rpo").GetString(), files.GetProperty("rto").GetString(), files.GetProperty("kinds")[0].GetProperty("grace").GetString()));
    }
}
