using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Deployments;

/// <summary>Gates, approval with segregation of duties, and change freezes per environment in vigil.yaml.</summary>
public abstract class ChangeControlTests : IAsyncLifetime
{
    // The test clock starts on Monday 2026-11-02 at 09:00 UTC, inside the freeze.
    private const string Config = """
        services:
          - name: checkout
            environments:
              - name: production
              - name: staging
              - name: dev
        deployments:
          environments:
            - name: production
              gates:
                - name: tests_passed
                  description: CI tests passed
                - name: rollback_plan
              require_approval: true
            - name: staging
              freezes:
                - name: quarter-end
                  starts_at: 2026-11-02T08:00:00Z
                  ends_at: 2026-11-02T12:00:00Z
                  reason: finance close
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, object body, HttpClient? client = null)
    {
        var response = await (client ?? server.Http).PostAsJsonAsync(path, body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string Fields(JsonElement problem) => string.Join(",", problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));

    [Fact]
    public async Task A_production_deployment_starts_only_once_every_gate_is_ticked_with_evidence_and_someone_else_approved_it()
    {
        var refused = await PostAsync("/api/deployments", new { service = "checkout", environment = "production", version = "v2" });
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal("gates.tests_passed", Fields(refused.Body));
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonElement>("/api/deployments")).EnumerateArray());

        var (_, pending) = await PostAsync("/api/deployments", new { service = "checkout", environment = "production", version = "v2", status = "pending" });
        var id = pending.GetProperty("id").GetInt32();
        Assert.Equal("evidence", Fields((await PostAsync($"/api/deployments/{id}/gates/tests_passed", new { evidence = " " })).Body));
        Assert.Equal("gate", Fields((await PostAsync($"/api/deployments/{id}/gates/coverage", new { evidence = "85 %" })).Body));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"/api/deployments/{id}/gates/tests_passed", new { evidence = "https://ci.example.com/runs/42" })).Status);
        var oneGate = await PostAsync($"/api/deployments/{id}/start", new { });
        Assert.Equal((HttpStatusCode.Conflict, "gates.rollback_plan"), (oneGate.Status, Fields(oneGate.Body)));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"/api/deployments/{id}/gates/rollback_plan", new { evidence = "redeploy v1 with vigil deploy rollback" })).Status);
        var unapproved = await PostAsync($"/api/deployments/{id}/start", new { });
        Assert.Equal((HttpStatusCode.Conflict, "approval"), (unapproved.Status, Fields(unapproved.Body)));

        var byAuthor = await PostAsync($"/api/deployments/{id}/approve", new { });
        Assert.Equal((HttpStatusCode.Forbidden, "approver"), (byAuthor.Status, Fields(byAuthor.Body)));
        var viewer = await PostAsync($"/api/deployments/{id}/approve", new { }, await server.ClientFor(Role.Operator));
        Assert.Equal(HttpStatusCode.Forbidden, viewer.Status);
        await server.CreateUserAsync("dana", Role.Manager);
        var dana = server.WithToken((await TestServer.CreateTokenAsync(await server.SignInAsync("dana", "a long enough password"), "approvals", Role.Manager)).Token);
        var approved = await PostAsync($"/api/deployments/{id}/approve", new { note = "CAB-1234" }, dana);
        Assert.Equal((HttpStatusCode.OK, "dana"), (approved.Status, approved.Body.GetProperty("approved_by").GetString()));

        var started = await PostAsync($"/api/deployments/{id}/start", new { });
        Assert.Equal((HttpStatusCode.OK, "in_progress"), (started.Status, started.Body.GetProperty("status").GetString()));
        Assert.Equal(["tests_passed", "rollback_plan"], started.Body.GetProperty("gates").EnumerateArray().Select(g => g.GetProperty("gate").GetString()));

        var audit = (await server.AuditAsync()).Where(e => e.Resource == "deployment").ToList();
        Assert.Equal(["create", "tick_gate", "tick_gate", "approve", "start"], audit.Select(e => e.Action));
        Assert.Equal("dana", audit[3].Username);
    }

    [Fact]
    public async Task A_freeze_refuses_a_start_without_an_override_reason_and_records_the_reason_when_given()
    {
        var refused = await PostAsync("/api/deployments", new { service = "checkout", environment = "staging", version = "v2" });
        Assert.Equal((HttpStatusCode.Conflict, "override_reason"), (refused.Status, Fields(refused.Body)));
        Assert.Contains("quarter-end", refused.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var overridden = await PostAsync("/api/deployments", new { service = "checkout", environment = "staging", version = "v2", override_reason = "hotfix for INC-2026-007" });
        Assert.Equal(HttpStatusCode.Created, overridden.Status);
        Assert.Equal("hotfix for INC-2026-007", overridden.Body.GetProperty("freeze_override_reason").GetString());

        server.Clock.Advance(TimeSpan.FromHours(3));
        var (status, _) = await PostAsync("/api/deployments", new { service = "checkout", environment = "staging", version = "v3" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/deployments", new { service = "checkout", environment = "dev", version = "v3" })).Status);
    }
}

public sealed class ChangeControlOnSqlite : ChangeControlTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class ChangeControlOnPostgres(PostgresServer postgres) : ChangeControlTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}

/// <summary>The <c>deployments:</c> section of vigil.yaml: each mistake with its line and column.</summary>
public sealed class DeploymentConfigTests
{
    [Theory]
    [InlineData("deployments:\n  environments:\n    - name: production\n    - name: production\n", "vigil.yaml:4:13: duplicate environment \"production\"")]
    [InlineData("deployments:\n  environments:\n    - name: production\n      gates:\n        - name: ci\n        - name: ci\n", "vigil.yaml:6:17: duplicate gate \"ci\"")]
    [InlineData("deployments:\n  environments:\n    - name: production\n      freezes:\n        - name: nightly\n          cron: '0 25 * * *'\n          duration: 2h\n", "vigil.yaml:6:17: invalid cron expression")]
    [InlineData("deployments:\n  environments:\n    - name: production\n      freezes:\n        - name: xmas\n          starts_at: 2026-12-20\n", "vigil.yaml:")]
    [InlineData("deployments:\n  incident_lookback: soon\n", "vigil.yaml:2:22: \"soon\" is not a duration above 0")]
    public void A_mistake_in_the_deployments_section_is_reported_with_its_line_and_column(string yaml, string expected)
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", yaml, new Hashtable());

        Assert.StartsWith(expected, Assert.Single(loaded.Errors).ToString(), StringComparison.Ordinal);
    }
}
