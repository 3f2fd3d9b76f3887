using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Deployments;

/// <summary>The deployment API: record, start, finish, roll back with audit; filters; bad input and steps out of order change nothing.</summary>
public abstract class DeploymentApiTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
            environments:
              - name: production
              - name: staging
          - name: search
        deployments:
          environments:
            - name: sandbox
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<JsonElement> RecordAsync(object body, HttpClient? client = null)
    {
        var response = await (client ?? server.Http).PostAsJsonAsync("/api/deployments", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/deployments answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> PostAsync(string path, object? body, HttpStatusCode expected)
    {
        var response = await server.Http.PostAsJsonAsync(path, body ?? new { });
        Assert.True(response.StatusCode == expected, $"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string[] Steps(JsonElement deployment) =>
        [.. deployment.GetProperty("transitions").EnumerateArray().Select(t => $"{t.GetProperty("from").GetString() ?? "-"}>{t.GetProperty("to").GetString()}")];

    [Fact]
    public async Task A_deployment_is_recorded_started_and_finished_each_step_timed_and_audited_and_the_next_one_knows_the_previous_version()
    {
        var first = await RecordAsync(new
        {
            service = "checkout",
            environment = "production",
            version = "v1.4.1",
            strategy = "blue_green",
            commit = "4f2a9c1",
            links = new[] { "https://ci.example.com/runs/1" },
        });
        Assert.Equal(("in_progress", "test-admin", "blue_green"), (first.GetProperty("status").GetString(), first.GetProperty("deployed_by").GetString(), first.GetProperty("strategy").GetString()));
        var id = first.GetProperty("id").GetInt32();

        server.Clock.Advance(TimeSpan.FromMinutes(7));
        var finished = await PostAsync($"/api/deployments/{id}/finish", new { note = "smoke tests passed" }, HttpStatusCode.OK);
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(["->pending", "pending>in_progress", "in_progress>succeeded"], Steps(finished));
        Assert.Equal(TimeSpan.FromMinutes(7), finished.GetProperty("finished_at").GetDateTimeOffset() - finished.GetProperty("started_at").GetDateTimeOffset());

        var second = await RecordAsync(new { service = "checkout", environment = "production", version = "v1.4.2" });
        Assert.Equal("v1.4.1", second.GetProperty("previous_version").GetString());
        var staging = await RecordAsync(new { service = "checkout", environment = "staging", version = "v1.4.2" });
        Assert.Equal(JsonValueKind.Null, staging.GetProperty("previous_version").ValueKind);

        var audit = (await server.AuditAsync()).Where(e => e.Resource == "deployment").ToList();
        Assert.Equal(["create", "finish", "create", "create"], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal(TestServer.AdminUsername, e.Username));
        Assert.Contains("\"token_id\"", audit[0].Metadata, StringComparison.Ordinal);
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), audit[1].ResourceId);
    }

    [Fact]
    public async Task The_list_filters_by_service_environment_and_status_newest_first_with_a_limit()
    {
        var a = (await RecordAsync(new { service = "checkout", environment = "production", version = "v1" })).GetProperty("id").GetInt32();
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await RecordAsync(new { service = "checkout", environment = "staging", version = "v2", status = "pending" });
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await RecordAsync(new { service = "search", environment = "sandbox", version = "v3" });
        await PostAsync($"/api/deployments/{a}/finish", new { status = "failed" }, HttpStatusCode.OK);

        async Task<string[]> VersionsAsync(string query) =>
            [.. (await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments{query}")).EnumerateArray().Select(d => d.GetProperty("version").GetString()!)];

        Assert.Equal(["v3", "v2", "v1"], await VersionsAsync(""));
        Assert.Equal(["v2", "v1"], await VersionsAsync("?service=checkout"));
        Assert.Equal(["v2"], await VersionsAsync("?service=checkout&environment=staging"));
        Assert.Equal(["v1"], await VersionsAsync("?status=failed"));
        Assert.Equal(["v3"], await VersionsAsync("?limit=1"));
        var bad = await server.Http.GetAsync("/api/deployments?status=done");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("status", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("billing", "production", "service")]
    [InlineData("checkout", "qa", "environment")]
    [InlineData("search", "production", "environment")]
    public async Task A_deployment_of_an_unknown_service_or_environment_is_refused_naming_the_field_and_nothing_is_recorded(string service, string environment, string field)
    {
        var response = await server.Http.PostAsJsonAsync("/api/deployments", new { service, environment, version = "v1" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonElement>("/api/deployments")).EnumerateArray());
        Assert.DoesNotContain(await server.AuditAsync(), e => e.Resource == "deployment");
    }

    [Theory]
    [InlineData("strategy", "big_bang")]
    [InlineData("status", "succeeded")]
    [InlineData("links", "ftp://example.com/x")]
    public async Task A_deployment_with_a_bad_field_is_refused_naming_it(string field, string value)
    {
        var body = new Dictionary<string, object> { ["service"] = "checkout", ["environment"] = "production", ["version"] = "v1" };
        body[field] = field == "links" ? new[] { value } : value;

        var response = await server.Http.PostAsJsonAsync("/api/deployments", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var name = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject()).Name;
        Assert.StartsWith(field, name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finishing_a_pending_deployment_or_rolling_back_twice_is_a_conflict_naming_status_and_changes_nothing()
    {
        var id = (await RecordAsync(new { service = "checkout", environment = "production", version = "v2", previous_version = "v1", status = "pending" })).GetProperty("id").GetInt32();

        var early = await PostAsync($"/api/deployments/{id}/finish", null, HttpStatusCode.Conflict);
        Assert.Contains("start it", early.GetProperty("errors").GetProperty("status")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("pending", (await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}")).GetProperty("status").GetString());

        await PostAsync($"/api/deployments/{id}/start", null, HttpStatusCode.OK);
        await PostAsync($"/api/deployments/{id}/start", null, HttpStatusCode.Conflict);
        var rolledBack = await PostAsync($"/api/deployments/{id}/rollback", new { note = "error rate doubled" }, HttpStatusCode.OK);
        Assert.Equal(("rolled_back", "v1"), (rolledBack.GetProperty("status").GetString(), rolledBack.GetProperty("rolled_back_to").GetString()));
        await PostAsync($"/api/deployments/{id}/rollback", null, HttpStatusCode.Conflict);
        await PostAsync($"/api/deployments/{id}/finish", null, HttpStatusCode.Conflict);
        await PostAsync($"/api/deployments/{id}/finish", new { status = "rolled_back" }, HttpStatusCode.BadRequest);
        await PostAsync("/api/deployments/999/finish", null, HttpStatusCode.NotFound);

        var after = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}");
        Assert.Equal(["->pending", "pending>in_progress", "in_progress>rolled_back"], Steps(after));
        Assert.Equal(["create", "start", "rollback"], (await server.AuditAsync()).Where(e => e.Resource == "deployment").Select(e => e.Action));
    }

    [Fact]
    public async Task A_viewer_sees_deployments_but_may_not_record_one_and_an_operator_may()
    {
        var viewer = await server.ClientFor(Role.Viewer);
        var operatorClient = await server.ClientFor(Role.Operator);

        var refused = await viewer.PostAsJsonAsync("/api/deployments", new { service = "checkout", environment = "production", version = "v1" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var recorded = await RecordAsync(new { service = "checkout", environment = "production", version = "v1" }, operatorClient);

        // The operator token belongs to the admin who made it: the deployment names that person.
        Assert.Equal(TestServer.AdminUsername, recorded.GetProperty("deployed_by").GetString());
        Assert.Single((await viewer.GetFromJsonAsync<JsonElement>("/api/deployments")).EnumerateArray());
    }
}

public sealed class DeploymentApiOnSqlite : DeploymentApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DeploymentApiOnPostgres(PostgresServer postgres) : DeploymentApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
