using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Deployments;

/// <summary>CI systems report deployments to <c>/api/deployments/webhook/{token}</c>: GitHub's deployment_status event and the generic JSON.</summary>
public abstract class DeploymentWebhookTests : IAsyncLifetime
{
    private const string Token = "ci-token-0123456789abcdef";

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(await DatabaseAsync(), "services:\n  - name: checkout\n    environments:\n      - name: production\n");
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "ci.token"), Token);
        await server.WriteConfigAsync("""
            services:
              - name: checkout
                environments:
                  - name: production
            alerting:
              integrations:
                - name: github-actions
                  type: deployments
                  token_file: ci.token
            """);
        var reload = await server.Http.PostAsync("/-/reload", null);
        Assert.True(reload.IsSuccessStatusCode, await reload.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>The fields of GitHub's deployment_status event that Vigil reads, as GitHub sends them (trimmed).</summary>
    private static string GitHubEvent(string state) => $$$"""
        {"action":"created",
         "deployment_status":{"id":2001,"state":"{{{state}}}","environment":"production","log_url":"https://github.com/acme/checkout/actions/runs/77"},
         "deployment":{"id":145988746,"sha":"4f2a9c1e0b7d","ref":"v1.4.2","environment":"production","creator":{"login":"octocat"},"payload":{}},
         "repository":{"full_name":"acme/checkout"}}
        """;

    private Task<HttpResponseMessage> DeliverAsync(string json, string? gitHubEvent = "deployment_status", string token = Token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/deployments/webhook/{token}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (gitHubEvent is not null)
        {
            request.Headers.Add("X-GitHub-Event", gitHubEvent);
        }
        return server.Anonymous.SendAsync(request);
    }

    private async Task<List<JsonElement>> DeploymentsAsync() =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>("/api/deployments")).EnumerateArray()];

    [Fact]
    public async Task GitHub_deployment_status_events_record_one_deployment_that_follows_its_states_and_a_replay_changes_nothing()
    {
        Assert.Equal(HttpStatusCode.Created, (await DeliverAsync(GitHubEvent("queued"))).StatusCode);
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync(GitHubEvent("in_progress"))).StatusCode);
        server.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync(GitHubEvent("success"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync(GitHubEvent("success"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync(GitHubEvent("in_progress"))).StatusCode);

        var deployment = Assert.Single(await DeploymentsAsync());
        Assert.Equal(
            ("checkout", "production", "v1.4.2", "succeeded", "octocat", "4f2a9c1e0b7d", "webhook:github-actions"),
            (deployment.GetProperty("service").GetString(), deployment.GetProperty("environment").GetString(), deployment.GetProperty("version").GetString(),
             deployment.GetProperty("status").GetString(), deployment.GetProperty("deployed_by").GetString(), deployment.GetProperty("commit").GetString(),
             deployment.GetProperty("source").GetString()));
        Assert.Equal(["https://github.com/acme/checkout/actions/runs/77"], deployment.GetProperty("links").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(3, deployment.GetProperty("transitions").GetArrayLength());
        Assert.Equal(TimeSpan.FromMinutes(4), deployment.GetProperty("finished_at").GetDateTimeOffset() - deployment.GetProperty("started_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_failure_reported_first_records_a_failed_deployment_and_ping_and_inactive_record_nothing()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await DeliverAsync("""{"zen":"Keep it logically awesome.","hook_id":1}""", "ping")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await DeliverAsync(GitHubEvent("inactive"))).StatusCode);
        Assert.Empty(await DeploymentsAsync());

        Assert.Equal(HttpStatusCode.Created, (await DeliverAsync(GitHubEvent("failure"))).StatusCode);

        Assert.Equal("failed", Assert.Single(await DeploymentsAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_generic_json_records_a_deployment_keyed_by_its_id()
    {
        const string started = """{"id":"run-9","service":"checkout","environment":"production","version":"2026.12.04","status":"in_progress","strategy":"canary","by":"jenkins"}""";
        Assert.Equal(HttpStatusCode.Created, (await DeliverAsync(started, gitHubEvent: null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync(started, gitHubEvent: null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync(started.Replace("in_progress", "failed", StringComparison.Ordinal), gitHubEvent: null)).StatusCode);

        var deployment = Assert.Single(await DeploymentsAsync());
        Assert.Equal(("failed", "canary", "jenkins", "run-9"), (deployment.GetProperty("status").GetString(), deployment.GetProperty("strategy").GetString(),
            deployment.GetProperty("deployed_by").GetString(), deployment.GetProperty("external_id").GetString()));
    }

    [Theory]
    [InlineData("""{"deployment_status":{"state":"success"},"deployment":{"id":1,"ref":"v1"},"repository":{"full_name":"acme/checkout"}}""", "deployment.environment")]
    [InlineData("""{"deployment_status":{"state":"done","environment":"production"},"deployment":{"id":1,"ref":"v1"},"repository":{"full_name":"acme/checkout"}}""", "deployment_status.state")]
    [InlineData("""{"deployment_status":{"state":"success","environment":"production"},"deployment":{"ref":"v1"},"repository":{"full_name":"acme/checkout"}}""", "deployment.id")]
    [InlineData("""{"deployment_status":{"state":"success","environment":"qa"},"deployment":{"id":1,"ref":"v1"},"repository":{"full_name":"acme/checkout"}}""", "environment")]
    [InlineData("""{"deployment_status":{"state":"success","environment":"production"},"deployment":{"id":1,"ref":"v1"},"repository":{"full_name":"acme/billing"}}""", "service")]
    public async Task A_bad_payload_is_refused_naming_the_field_and_records_nothing(string json, string field)
    {
        var response = await DeliverAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Empty(await DeploymentsAsync());
    }

    [Fact]
    public async Task A_wrong_token_is_refused_and_records_nothing()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await DeliverAsync(GitHubEvent("success"), token: "not-the-token-at-all")).StatusCode);
        Assert.Empty(await DeploymentsAsync());
    }
}

public sealed class DeploymentWebhookOnSqlite : DeploymentWebhookTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DeploymentWebhookOnPostgres(PostgresServer postgres) : DeploymentWebhookTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
