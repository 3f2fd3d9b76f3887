using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>
/// The console's maintenance window form posted as a browser would, on each database: the API's
/// reasons beside the fields and nothing stored, then a window saved, audited and listed; a viewer
/// sees the windows but no form. The test clock starts on Monday 2026-11-02 09:00 UTC.
/// </summary>
public abstract class MaintenancePageTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), """
        maintenance_windows:
          - name: db-patching
            service: db
            schedule: every monday 09:00-10:00
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<List<string>> NamesInApiAsync() =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>("/api/maintenance-windows")).EnumerateArray().Select(w => w.GetProperty("name").GetString()!)];

    [Fact]
    public async Task An_operator_saves_a_cron_window_from_the_form_after_the_apis_reason_and_a_viewer_only_reads()
    {
        await server.CreateUserAsync("olga", Role.Operator);
        var olga = await server.SignInAsync("olga", "a long enough password");
        var fields = new Dictionary<string, string>
        {
            ["Form.Name"] = "nightly",
            ["Form.Service"] = "api",
            ["Form.Kind"] = "cron",
            ["Form.Cron"] = "0 3 * * *",
            ["Form.Duration"] = "",
            // Another kind's field is ignored, not an error.
            ["Form.StartsAt"] = "whenever",
        };

        var refused = await (await TestServer.PostFormAsync(olga, "/maintenance/new", "maintenance-window", fields)).Content.ReadAsStringAsync();
        Assert.Contains("data-error=\"duration\"", refused);
        Assert.Contains("a cron window needs a positive duration", refused);
        Assert.DoesNotContain("data-error=\"starts_at\"", refused);
        Assert.Equal(["db-patching"], await NamesInApiAsync());

        fields["Form.Duration"] = "2h";
        var saved = await TestServer.PostFormAsync(olga, "/maintenance/new", "maintenance-window", fields);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.EndsWith("/maintenance?done=created", saved.Headers.Location!.OriginalString);
        var list = await olga.GetStringAsync(saved.Headers.Location);
        Assert.Contains("<tr data-window=\"nightly\" data-state=\"upcoming\">", list);
        Assert.Matches("2026-11-03 03:00 (–|&#x2013;) 2026-11-03 05:00", list);
        // The config window is open on Monday 09:00-10:00.
        Assert.Contains("<tr data-window=\"db-patching\" data-state=\"active\">", list);
        Assert.Equal(["db-patching", "nightly"], await NamesInApiAsync());
        var entry = Assert.Single(await server.AuditAsync(), e => e.Resource == "maintenance_window");
        Assert.Equal(("create", "olga", "nightly"), (entry.Action, entry.Username, entry.ResourceId));

        await server.CreateUserAsync("vera", Role.Viewer);
        var vera = await server.SignInAsync("vera", "a long enough password");
        var seen = await vera.GetStringAsync("/maintenance");
        Assert.Contains("data-window=\"nightly\"", seen);
        Assert.DoesNotContain("data-new-window", seen);
        var page = await vera.GetStringAsync("/maintenance/nightly");
        Assert.Contains("You may view maintenance windows but not change them.", page);
        Assert.DoesNotContain("data-window-form", page);

        var config = await olga.GetStringAsync("/maintenance/db-patching");
        Assert.Matches(@"Defined in <code>vigil\.yaml line 2</code>", config);
        Assert.DoesNotContain("data-window-form", config);
    }
}

public sealed class MaintenancePageOnSqlite : MaintenancePageTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class MaintenancePageOnPostgres(PostgresServer postgres) : MaintenancePageTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
