using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Runbooks;

/// <summary>
/// Issue 22, item 2: automated steps. Vigil runs only allow-listed HTTP calls and commands and
/// records their output; a High-risk runbook's automated step waits for a second person's approval
/// and then runs exactly once, even when two people approve at the same moment.
/// </summary>
public abstract class RunbookAutomationTests : IAsyncLifetime
{
    private readonly string runbooks = Directory.CreateTempSubdirectory("vigil-runbooks-").FullName;
    private TestServer server = null!;
    private NotificationReceiver receiver = null!;

    protected abstract Task<string?> DatabaseAsync();

    private string RestartUrl => $"{receiver.Url.TrimEnd('/')}/admin/restart";

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        receiver.ResponseBody = """{"restarted": 3}""";
        await File.WriteAllTextAsync(Path.Combine(runbooks, "database-vacuum.md"), RunbookCheckTests.Template);
        await File.WriteAllTextAsync(Path.Combine(runbooks, "restart-api.md"), RunbookCheckTests.Template
            .Replace("risk: Medium", "risk: High", StringComparison.Ordinal)
            .Replace("**Command**: vacuum-db", $"**HTTP**: POST {RestartUrl}", StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(runbooks, "broken.md"), RunbookCheckTests.Template.Replace("**Command**: vacuum-db", "**Command**: always-fails", StringComparison.Ordinal));
        server = await TestServer.StartAsync(await DatabaseAsync(), $"""
            runbooks:
              directory: {runbooks}
              commands:
                - name: vacuum-db
                  run: [/bin/echo, vacuumed, "--all; rm -rf /"]
                - name: always-fails
                  run: [/bin/false]
              http:
                - {receiver.Url}
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        Directory.Delete(runbooks, recursive: true);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<HttpClient> PersonAsync(string name)
    {
        await server.CreateUserAsync(name, Role.Operator);
        return server.WithToken((await TestServer.CreateTokenAsync(await server.SignInAsync(name, "a long enough password"), "runs", Role.Operator)).Token);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, string body = "{}")
    {
        var response = await client.PostAsync(path, Json(body));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task A_high_risk_http_step_waits_for_a_second_person_and_runs_once_with_its_output_recorded()
    {
        var alice = await PersonAsync("alice");
        var bob = await PersonAsync("bob");
        var carol = await PersonAsync("carol");
        var incident = (await PostAsync(server.Http, "/api/incidents", """{"title": "API stuck", "severity": "P2"}""")).Body.GetProperty("id").GetString();
        var id = (await PostAsync(alice, "/api/runbook-runs", $$"""{"runbook": "restart-api", "incident_id": "{{incident}}"}""")).Body.GetProperty("id").GetInt32();

        var requested = await PostAsync(alice, $"/api/runbook-runs/{id}/steps/1/execute");
        var callsWhileWaiting = receiver.Requests.Count;
        var tickedByHand = await PostAsync(alice, $"/api/runbook-runs/{id}/steps/1", """{"status": "done"}""");
        var ownApproval = await PostAsync(alice, $"/api/runbook-runs/{id}/steps/1/approve");
        var approvals = await Task.WhenAll(
            PostAsync(bob, $"/api/runbook-runs/{id}/steps/1/approve"),
            PostAsync(carol, $"/api/runbook-runs/{id}/steps/1/approve"));
        var doubleClick = await PostAsync(bob, $"/api/runbook-runs/{id}/steps/1/approve");
        var executeAgain = await PostAsync(alice, $"/api/runbook-runs/{id}/steps/1/execute");
        var run = await server.Http.GetFromJsonAsync<JsonElement>($"/api/runbook-runs/{id}");
        var timeline = (await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}")).GetProperty("timeline").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "runbook").Select(r => r.GetProperty("text").GetString()!).ToList();
        var audit = (await server.AuditAsync()).Where(e => e.Resource == "runbook_run").Select(e => e.Action).ToList();

        Assert.Equal(HttpStatusCode.OK, requested.Status);
        Assert.Equal(("awaiting_approval", "alice"), (requested.Body.GetProperty("steps")[0].GetProperty("execution").GetString(), requested.Body.GetProperty("steps")[0].GetProperty("requested_by").GetString()));
        Assert.Equal(0, callsWhileWaiting);
        Assert.Equal(HttpStatusCode.Conflict, tickedByHand.Status);
        Assert.Equal(HttpStatusCode.Forbidden, ownApproval.Status);
        Assert.Equal("alice asked for this step: a second person must approve it", ownApproval.Body.GetProperty("errors").GetProperty("approver")[0].GetString());
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], approvals.Select(a => a.Status).Order().ToArray());
        Assert.Equal(HttpStatusCode.Conflict, doubleClick.Status);
        Assert.Equal(HttpStatusCode.Conflict, executeAgain.Status);
        var call = Assert.Single(receiver.Requests);
        Assert.Equal(("POST", "/admin/restart"), (call.Method, call.Path));
        var step = run.GetProperty("steps")[0];
        var approver = step.GetProperty("approved_by").GetString();
        Assert.Contains(approver, new[] { "bob", "carol" });
        Assert.Equal(("done", "succeeded", 200, """{"restarted": 3}""", "alice"), (
            step.GetProperty("status").GetString(), step.GetProperty("execution").GetString(), step.GetProperty("exit_code").GetInt32(),
            step.GetProperty("output").GetString(), step.GetProperty("done_by").GetString()));
        Assert.Equal(
            [
                "Started runbook \"Database vacuum\" (2 steps, risk High)",
                $"Runbook \"Database vacuum\" step 1 \"Vacuum the database\": POST {RestartUrl} awaits a second person's approval",
                $"Runbook \"Database vacuum\" step 1 \"Vacuum the database\": approved, running POST {RestartUrl}",
                "Runbook \"Database vacuum\" step 1 \"Vacuum the database\" succeeded (HTTP 200): {\"restarted\": 3}",
            ],
            timeline);
        Assert.Equal(["start", "execute_request", "approve", "execute"], audit);
    }

    [Fact]
    public async Task A_failed_action_is_recorded_and_leaves_the_step_to_be_ticked_by_hand()
    {
        var id = (await PostAsync(server.Http, "/api/runbook-runs", """{"runbook": "broken"}""")).Body.GetProperty("id").GetInt32();
        var executed = await PostAsync(server.Http, $"/api/runbook-runs/{id}/steps/1/execute");
        var byHand = await PostAsync(server.Http, $"/api/runbook-runs/{id}/steps/1", """{"status": "done", "note": "ran vacuumdb by hand"}""");

        var step = executed.Body.GetProperty("steps")[0];
        Assert.Equal(("pending", "failed", 1), (step.GetProperty("status").GetString(), step.GetProperty("execution").GetString(), step.GetProperty("exit_code").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, byHand.Status);
        Assert.Equal(("done", "failed"), (byHand.Body.GetProperty("steps")[0].GetProperty("status").GetString(), byHand.Body.GetProperty("steps")[0].GetProperty("execution").GetString()));
    }

    [Fact]
    public async Task A_medium_risk_command_runs_at_once_without_a_shell_and_a_step_outside_the_allow_list_is_refused()
    {
        var id = (await PostAsync(server.Http, "/api/runbook-runs", """{"runbook": "database-vacuum"}""")).Body.GetProperty("id").GetInt32();
        var manualFirst = await PostAsync(server.Http, $"/api/runbook-runs/{id}/steps/2/execute");
        var executed = await PostAsync(server.Http, $"/api/runbook-runs/{id}/steps/1/execute");
        var outside = await server.Http.PutAsJsonAsync("/api/runbooks/drop", new
        {
            markdown = RunbookCheckTests.Template.Replace("**Command**: vacuum-db", "**HTTP**: POST http://127.0.0.1:1/drop", StringComparison.Ordinal),
        });

        Assert.Equal(HttpStatusCode.Conflict, manualFirst.Status);
        var step = executed.Body.GetProperty("steps")[0];
        Assert.Equal(("done", "succeeded", 0, "vacuumed --all; rm -rf /\n"), (
            step.GetProperty("status").GetString(), step.GetProperty("execution").GetString(), step.GetProperty("exit_code").GetInt32(), step.GetProperty("output").GetString()));
        Assert.Equal(JsonValueKind.Null, step.GetProperty("approved_by").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        var problem = await outside.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("is not under any URL in runbooks.http", problem.GetProperty("errors").GetProperty("markdown")[0].GetString());
    }
}

public sealed class RunbookAutomationOnSqlite : RunbookAutomationTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class RunbookAutomationOnPostgres(PostgresServer postgres) : RunbookAutomationTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
