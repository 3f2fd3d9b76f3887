using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Features.Alerting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Runbooks;

/// <summary>
/// Issue 22, item 2: guided runs. A run keeps the runbook as it was when it started, goes step by
/// step (who ticked each step, when, with what note), finishes completed or aborted, is audited, and
/// a run of an incident writes every step to the incident's timeline as it happens.
/// </summary>
public abstract class RunbookRunTests : IAsyncLifetime
{
    private readonly string runbooks = Directory.CreateTempSubdirectory("vigil-runbooks-").FullName;
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    /// <summary>The seed template with two manual steps (no automated action).</summary>
    public static readonly string Manual = RunbookCheckTests.Template.Replace("**Command**: vacuum-db\n", "", StringComparison.Ordinal);

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(runbooks, "database-vacuum.md"), Manual);
        server = await TestServer.StartAsync(await DatabaseAsync(), $"""
            services:
              - name: api
            runbooks:
              directory: {runbooks}
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(runbooks, recursive: true);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> PostAsync(string path, string body, HttpClient? client = null)
    {
        var response = await (client ?? server.Http).PostAsync(path, Json(body));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> TryPostAsync(string path, string body, HttpClient? client = null)
    {
        var response = await (client ?? server.Http).PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string FieldError(JsonElement problem, string field) => problem.GetProperty("errors").GetProperty(field)[0].GetString()!;

    private async Task<List<string>> TimelineAsync(string incident) =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}")).GetProperty("timeline").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "runbook").Select(r => r.GetProperty("text").GetString()!)];

    [Fact]
    public async Task A_run_started_from_an_incident_goes_step_by_step_onto_its_timeline_and_is_audited()
    {
        var incident = (await PostAsync("/api/incidents", """{"title": "Table bloat", "severity": "P3"}""")).GetProperty("id").GetString()!;
        var operatorClient = await server.ClientFor("operator");
        var run = await PostAsync("/api/runbook-runs", $$"""{"runbook": "database-vacuum", "incident_id": "{{incident}}"}""", operatorClient);
        var id = run.GetProperty("id").GetInt32();
        var afterStart = await TimelineAsync(incident);
        var outOfOrder = await TryPostAsync($"/api/runbook-runs/{id}/steps/2", """{"status": "done"}""", operatorClient);
        server.Clock.Advance(TimeSpan.FromMinutes(3));
        await PostAsync($"/api/runbook-runs/{id}/steps/1", """{"status": "done", "note": "VACUUM\nINFO: vacuuming public.orders"}""", operatorClient);
        var afterFirst = await TimelineAsync(incident);
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        await PostAsync($"/api/runbook-runs/{id}/steps/2", """{"status": "skipped", "note": "bloat graph not wired yet"}""", operatorClient);
        var again = await TryPostAsync($"/api/runbook-runs/{id}/steps/2", """{"status": "done"}""", operatorClient);
        var finished = await PostAsync($"/api/runbook-runs/{id}/finish", """{"status": "completed"}""", operatorClient);
        var listed = await server.Http.GetFromJsonAsync<JsonElement>($"/api/runbook-runs?incident={incident}");
        var audit = await server.AuditAsync();

        Assert.Equal(("database-vacuum", "Database vacuum", "medium", incident, "running"), (
            run.GetProperty("runbook").GetString(), run.GetProperty("title").GetString(), run.GetProperty("risk").GetString(),
            run.GetProperty("incident_id").GetString(), run.GetProperty("status").GetString()));
        Assert.Equal(["Started runbook \"Database vacuum\" (2 steps, risk Medium)"], afterStart);
        Assert.Equal(HttpStatusCode.Conflict, outOfOrder.Status);
        Assert.Contains("step 1 comes first", FieldError(outOfOrder.Body, "step"));
        Assert.Equal(
            ["Started runbook \"Database vacuum\" (2 steps, risk Medium)", "Runbook \"Database vacuum\" step 1 \"Vacuum the database\" done: VACUUM\nINFO: vacuuming public.orders"],
            afterFirst);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal(
            [
                "Started runbook \"Database vacuum\" (2 steps, risk Medium)",
                "Runbook \"Database vacuum\" step 1 \"Vacuum the database\" done: VACUUM\nINFO: vacuuming public.orders",
                "Runbook \"Database vacuum\" step 2 \"Check bloat\" skipped: bloat graph not wired yet",
                "Runbook \"Database vacuum\" completed",
            ],
            await TimelineAsync(incident));
        var steps = finished.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(("done", TestServer.AdminUsername, server.Clock.GetUtcNow().AddMinutes(-2)), (steps[0].GetProperty("status").GetString(), steps[0].GetProperty("done_by").GetString(), steps[0].GetProperty("done_at").GetDateTimeOffset()));
        Assert.Equal(("skipped", "bloat graph not wired yet"), (steps[1].GetProperty("status").GetString(), steps[1].GetProperty("note").GetString()));
        Assert.Equal(("completed", TestServer.AdminUsername), (finished.GetProperty("status").GetString(), finished.GetProperty("finished_by").GetString()));
        Assert.Equal([id], listed.EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToArray());
        Assert.Equal(["start", "step_done", "step_skipped", "complete"], audit.Where(e => e.Resource == "runbook_run").Select(e => e.Action).ToArray());
        Assert.All(audit.Where(e => e.Resource == "runbook_run"), e => Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), e.ResourceId));
    }

    [Fact]
    public async Task A_run_keeps_the_version_it_started_from_and_runs_alone_or_from_an_alert()
    {
        await server.Http.PutAsJsonAsync("/api/runbooks/clear-cache", new { markdown = Manual.Replace("title: Database vacuum", "title: Clear the cache", StringComparison.Ordinal) });
        var run = await PostAsync("/api/runbook-runs", """{"runbook": "clear-cache"}""");
        var third = Manual.Replace("### Step 2: Check bloat", "### Step 2: Check bloat\n**Expected result**: fine\n\n### Step 3: Tell the team", StringComparison.Ordinal);
        var saved = await server.Http.PutAsJsonAsync("/api/runbooks/clear-cache", new { markdown = third });
        var later = await PostAsync("/api/runbook-runs", """{"runbook": "clear-cache"}""");
        var kept = await server.Http.GetFromJsonAsync<JsonElement>($"/api/runbook-runs/{run.GetProperty("id").GetInt32()}");
        await server.QueryAsync(async db =>
        {
            db.Add(new StoredAlert { Fingerprint = "00c0ffee00c0ffee", LabelsJson = """{"alertname":"TableBloat"}""", AnnotationsJson = """{"runbook":"database-vacuum"}""", GeneratorUrl = "", Source = "test", StartsAt = server.Clock.GetUtcNow(), EndsAt = server.Clock.GetUtcNow().AddHours(1), UpdatedAt = server.Clock.GetUtcNow() });
            return await db.SaveChangesAsync();
        });
        // The alert's page links its runbook annotation to the runbook, whose "Start run" then carries the alert.
        var alertPage = await server.Http.GetStringAsync("/alerts/00c0ffee00c0ffee");
        Assert.Contains("href=\"/runbooks/database-vacuum?alert=00c0ffee00c0ffee\"", alertPage);
        var runbookPage = await server.Http.GetStringAsync("/runbooks/database-vacuum?alert=00c0ffee00c0ffee");
        Assert.Contains("name=\"Start.Alert\" value=\"00c0ffee00c0ffee\"", runbookPage);
        var fromAlert = await PostAsync("/api/runbook-runs", """{"runbook": "database-vacuum", "alert": "00c0ffee00c0ffee"}""");

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal((1, 2, JsonValueKind.Null), (kept.GetProperty("runbook_version").GetInt32(), kept.GetProperty("steps").GetArrayLength(), kept.GetProperty("incident_id").ValueKind));
        Assert.Equal((2, 3), (later.GetProperty("runbook_version").GetInt32(), later.GetProperty("steps").GetArrayLength()));
        Assert.Equal("00c0ffee00c0ffee", fromAlert.GetProperty("alert").GetString());
        Assert.Equal(JsonValueKind.Null, fromAlert.GetProperty("runbook_version").ValueKind);
    }

    [Fact]
    public async Task An_incident_and_a_service_page_list_the_runbooks_of_their_services()
    {
        var ofApi = (await PostAsync("/api/incidents", """{"title": "API slow", "severity": "P3", "services": [{"service": "api", "impact": "degraded_performance"}]}""")).GetProperty("id").GetString();
        var ofNothing = (await PostAsync("/api/incidents", """{"title": "Something", "severity": "P3"}""")).GetProperty("id").GetString();

        var forApi = await server.Http.GetFromJsonAsync<JsonElement>($"/api/runbooks?incident={ofApi}");
        var forNothing = await server.Http.GetFromJsonAsync<JsonElement>($"/api/runbooks?incident={ofNothing}");
        var missing = await server.Http.GetAsync("/api/runbooks?incident=INC-2026-404");
        var servicePage = await server.Http.GetStringAsync("/catalog/api");
        var incidentPage = await server.Http.GetStringAsync($"/incidents/{ofApi}");

        Assert.Equal(["database-vacuum"], forApi.EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToArray());
        Assert.Equal(0, forNothing.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("<li data-runbook=\"database-vacuum\"><a href=\"/runbooks/database-vacuum\">Database vacuum</a>", servicePage);
        Assert.Contains($"href=\"/runbooks/database-vacuum?incident={ofApi}\"", incidentPage);
    }

    [Fact]
    public async Task Bad_input_is_refused_naming_the_field_and_changes_nothing()
    {
        var viewer = await server.ClientFor("viewer");
        var unknown = await TryPostAsync("/api/runbook-runs", """{"runbook": "nope"}""");
        var noIncident = await TryPostAsync("/api/runbook-runs", """{"runbook": "database-vacuum", "incident_id": "INC-2026-404"}""");
        var noAlert = await TryPostAsync("/api/runbook-runs", """{"runbook": "database-vacuum", "alert": "0123456789abcdef"}""");
        var byViewer = await TryPostAsync("/api/runbook-runs", """{"runbook": "database-vacuum"}""", viewer);
        var id = (await PostAsync("/api/runbook-runs", """{"runbook": "database-vacuum"}""")).GetProperty("id").GetInt32();
        var badStatus = await TryPostAsync($"/api/runbook-runs/{id}/steps/1", """{"status": "finished"}""");
        var noStep = await TryPostAsync($"/api/runbook-runs/{id}/steps/9", """{"status": "done"}""");
        var early = await TryPostAsync($"/api/runbook-runs/{id}/finish", """{"status": "completed"}""");
        await PostAsync($"/api/runbook-runs/{id}/finish", """{"status": "aborted", "note": "wrong database"}""");
        var afterAbort = await TryPostAsync($"/api/runbook-runs/{id}/steps/1", """{"status": "done"}""");
        var run = await server.Http.GetFromJsonAsync<JsonElement>($"/api/runbook-runs/{id}");

        Assert.Equal((HttpStatusCode.BadRequest, "no runbook named \"nope\""), (unknown.Status, FieldError(unknown.Body, "runbook")));
        Assert.Equal((HttpStatusCode.BadRequest, "no incident INC-2026-404"), (noIncident.Status, FieldError(noIncident.Body, "incident_id")));
        Assert.Equal(HttpStatusCode.BadRequest, noAlert.Status);
        Assert.Contains("alert", noAlert.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.Forbidden, byViewer.Status);
        Assert.Equal((HttpStatusCode.BadRequest, "\"finished\" is not a step status: use done or skipped"), (badStatus.Status, FieldError(badStatus.Body, "status")));
        Assert.Equal(HttpStatusCode.NotFound, noStep.Status);
        Assert.Equal(HttpStatusCode.Conflict, early.Status);
        Assert.Contains("step 1, 2 is not done or skipped yet", FieldError(early.Body, "status"));
        Assert.Equal(HttpStatusCode.Conflict, afterAbort.Status);
        Assert.Equal(("aborted", "wrong database"), (run.GetProperty("status").GetString(), run.GetProperty("note").GetString()));
        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.Equal("pending", s.GetProperty("status").GetString()));
        Assert.Equal(["start", "abort"], (await server.AuditAsync()).Where(e => e.Resource == "runbook_run").Select(e => e.Action).ToArray());
    }
}

public sealed class RunbookRunOnSqlite : RunbookRunTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class RunbookRunOnPostgres(PostgresServer postgres) : RunbookRunTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
