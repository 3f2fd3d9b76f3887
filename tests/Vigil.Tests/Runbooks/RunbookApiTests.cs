using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Runbooks;

/// <summary>
/// Issue 22, item 1: runbooks of the directory beside vigil.yaml are served read-only, reloaded with
/// the configuration, and rendered in the console without running any HTML; runbooks saved through
/// the API keep every version, and one that fails the template check is refused with its line.
/// </summary>
public abstract class RunbookApiTests : IAsyncLifetime
{
    private readonly string runbooks = Directory.CreateTempSubdirectory("vigil-runbooks-").FullName;
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    private string Config => $"""
        runbooks:
          directory: {runbooks}
          commands:
            - name: vacuum-db
              run: [/usr/bin/vacuumdb, --all]
        """;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(runbooks, "database-vacuum.md"), RunbookCheckTests.Template);
        server = await TestServer.StartAsync(await DatabaseAsync(), Config);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(runbooks, recursive: true);
    }

    [Fact]
    public async Task A_file_runbook_is_listed_rendered_and_read_only_and_a_new_file_appears_on_reload()
    {
        var viewer = await server.ClientFor("viewer");
        var list = await viewer.GetFromJsonAsync<JsonElement>("/api/runbooks");
        var vacuum = list.EnumerateArray().Single();
        var page = WebUtility.HtmlDecode(await viewer.GetStringAsync("/runbooks/database-vacuum"));
        var put = await server.Http.PutAsJsonAsync("/api/runbooks/database-vacuum", new { markdown = RunbookCheckTests.Template });
        await File.WriteAllTextAsync(Path.Combine(runbooks, "restart-api.md"), RunbookCheckTests.Template.Replace("title: Database vacuum", "title: Restart the API", StringComparison.Ordinal));
        var reload = await server.Http.PostAsync("/-/reload", null);
        var after = await viewer.GetFromJsonAsync<JsonElement>("/api/runbooks");

        Assert.Equal(("database-vacuum", "Database vacuum", "medium", "file", 2), (
            vacuum.GetProperty("name").GetString(), vacuum.GetProperty("title").GetString(), vacuum.GetProperty("risk").GetString(),
            vacuum.GetProperty("origin").GetString(), vacuum.GetProperty("steps").GetArrayLength()));
        Assert.Equal("vacuum-db", vacuum.GetProperty("steps")[0].GetProperty("action").GetProperty("target").GetString());
        Assert.Contains("<h1>Runbook: Database vacuum</h1>", page);
        Assert.Contains("<h3>Step 1: Vacuum the database</h3>", page);
        Assert.DoesNotContain("risk: Medium", page);
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Equal(["Database vacuum", "Restart the API"], after.EnumerateArray().Select(r => r.GetProperty("title").GetString()!).ToArray());
    }

    [Fact]
    public async Task Saving_through_the_api_keeps_every_version_and_a_runbook_missing_verification_is_refused_with_its_line()
    {
        var operatorClient = await server.ClientFor("operator");
        var first = await operatorClient.PutAsJsonAsync("/api/runbooks/clear-cache", new { markdown = RunbookCheckTests.Template.Replace("title: Database vacuum", "title: Clear the cache", StringComparison.Ordinal) });
        var second = await operatorClient.PutAsJsonAsync("/api/runbooks/clear-cache", new { markdown = RunbookCheckTests.Template.Replace("title: Database vacuum", "title: Clear Redis", StringComparison.Ordinal) });
        var broken = RunbookCheckTests.Template.Replace("## Verification", "## Checks", StringComparison.Ordinal);
        var refused = await operatorClient.PutAsJsonAsync("/api/runbooks/clear-cache", new { markdown = broken });
        var viewerPut = await (await server.ClientFor("viewer")).PutAsJsonAsync("/api/runbooks/clear-cache", new { markdown = RunbookCheckTests.Template });
        var versions = await server.Http.GetFromJsonAsync<JsonElement>("/api/runbooks/clear-cache/versions");
        var firstVersion = await server.Http.GetFromJsonAsync<JsonElement>("/api/runbooks/clear-cache/versions/1");
        var current = await server.Http.GetFromJsonAsync<JsonElement>("/api/runbooks/clear-cache");
        var audit = await server.AuditAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var rollbackLine = Array.IndexOf(broken.Split('\n'), "## Rollback") + 1;
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"line {rollbackLine}: missing section \"Verification\" (it comes before \"Rollback\")", problem.GetProperty("errors").GetProperty("markdown")[0].GetString());
        Assert.Equal(HttpStatusCode.Forbidden, viewerPut.StatusCode);
        Assert.Equal([2, 1], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).ToArray());
        Assert.Contains("title: Clear the cache", firstVersion.GetProperty("markdown").GetString());
        Assert.Equal(("Clear Redis", "api", 2), (current.GetProperty("title").GetString(), current.GetProperty("origin").GetString(), current.GetProperty("version").GetInt32()));
        Assert.Equal(["create", "update"], audit.Where(e => e.Resource == "runbook").Select(e => e.Action).ToArray());
        Assert.All(audit.Where(e => e.Resource == "runbook"), e => Assert.Equal("clear-cache", e.ResourceId));
    }

    [Fact]
    public async Task Raw_html_and_script_links_in_a_runbook_are_shown_as_text_not_run()
    {
        var markdown = RunbookCheckTests.Template.Replace(
            "- Access required",
            "- Access required <script>alert('x')</script>\n- [open](javascript:alert(1)) and <img src=x onerror=alert(2)>",
            StringComparison.Ordinal);
        var saved = await server.Http.PutAsJsonAsync("/api/runbooks/unsafe", new { markdown });
        var html = await server.Http.GetStringAsync("/runbooks/unsafe");
        // The rendered runbook (the edit form's textarea below it holds the Markdown itself, as escaped text).
        var start = html.IndexOf("<article class=\"runbook\">", StringComparison.Ordinal);
        var page = html[start..html.IndexOf("</article>", start, StringComparison.Ordinal)];

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("javascript:", page);
        Assert.Contains("&lt;script&gt;alert", page);
    }
}

public sealed class RunbookApiOnSqlite : RunbookApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class RunbookApiOnPostgres(PostgresServer postgres) : RunbookApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
