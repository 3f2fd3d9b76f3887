using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// Maintenance windows created, changed and deleted from the console, and silences extended from it.
/// The test clock starts on Monday 2 November 2026, 09:00 UTC (10:00 in Berlin).
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class MaintenancePagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Config = """
        maintenance_windows:
          - name: db-patching
            service: db
            schedule: every 2nd sunday 02:00-04:00
        """;

    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private string Url(string path) => new Uri(server.BaseAddress, path).ToString();

    private async Task<JsonElement?> WindowFromApiAsync(string name) =>
        (await server.Http.GetFromJsonAsync<JsonElement>("/api/maintenance-windows")).EnumerateArray()
            .Select(w => (JsonElement?)w).FirstOrDefault(w => w!.Value.GetProperty("name").GetString() == name);

    [Fact]
    public Task Chromium_creates_edits_and_deletes_a_maintenance_window_and_sees_a_config_window_read_only() =>
        chromium.RunAsync(nameof(Chromium_creates_edits_and_deletes_a_maintenance_window_and_sees_a_config_window_read_only), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/maintenance"));
            await page.Locator("[data-new-window]").ClickAsync();

            // Refused: the end before the start, the API's reason beside "Ends at", nothing stored.
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("db-upgrade");
            await page.GetByLabel("Service (whose alerts are muted)").FillAsync("db");
            await page.GetByLabel("When").SelectOptionAsync("once");
            await page.GetByLabel("Starts at (RFC 3339 with its offset, e.g. 2026-12-01T22:00:00Z for UTC)").FillAsync("2026-11-02T08:30:00Z");
            await page.GetByLabel("Ends at (RFC 3339 with its offset, e.g. 2026-12-02T02:00:00+01:00)").FillAsync("2026-11-02T08:00:00Z");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save maintenance window" }).ClickAsync();
            var endError = page.Locator("[data-error='ends_at']");
            Assert.Equal("must be after starts_at", await endError.InnerTextAsync());
            Assert.Equal("err-ends_at", await endError.GetAttributeAsync("id"));
            Assert.Null(await WindowFromApiAsync("db-upgrade"));

            // The form kept what was typed: fix the end (an offset is accepted, as by the API) and save.
            Assert.Equal("2026-11-02T08:30:00Z", await page.GetByLabel("Starts at (RFC 3339 with its offset, e.g. 2026-12-01T22:00:00Z for UTC)").InputValueAsync());
            await page.GetByLabel("Ends at (RFC 3339 with its offset, e.g. 2026-12-02T02:00:00+01:00)").FillAsync("2026-11-02T12:00:00+01:00");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save maintenance window" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/maintenance?done=created", StringComparison.Ordinal));

            var row = page.Locator("tr[data-window='db-upgrade']");
            Assert.Equal("active", await row.GetAttributeAsync("data-state"));
            Assert.Equal("2026-11-02 09:00 – 2026-11-02 11:00", (await row.Locator("[data-next]").InnerTextAsync()).Trim());
            Assert.Equal("api", await row.Locator("[data-origin]").GetAttributeAsync("data-origin"));
            var stored = (await WindowFromApiAsync("db-upgrade"))!.Value;
            Assert.True(stored.GetProperty("open_now").GetBoolean());

            // The config window: listed, upcoming (the 2nd Sunday of November is the 8th), read-only with its line.
            var configRow = page.Locator("tr[data-window='db-patching']");
            Assert.Equal("upcoming", await configRow.GetAttributeAsync("data-state"));
            Assert.Equal("config", await configRow.Locator("[data-origin]").GetAttributeAsync("data-origin"));
            Assert.Equal("2026-11-08 02:00 – 2026-11-08 04:00", (await configRow.Locator("[data-next]").InnerTextAsync()).Trim());
            await configRow.GetByRole(AriaRole.Link, new() { Name = "db-patching" }).ClickAsync();
            Assert.Matches(@"Defined in .*vigil\.yaml.*line 2", await page.Locator(".defined-in").InnerTextAsync());
            Assert.Equal(0, await page.Locator("form[data-window-form]").CountAsync());
            Assert.Equal(0, await page.Locator("form[data-form='delete-window']").CountAsync());

            // Edit: make it recurring on Saturday nights, Berlin time; a bad time zone first.
            await page.GotoAsync(Url("/maintenance"));
            await page.Locator("tr[data-window='db-upgrade']").GetByRole(AriaRole.Link, new() { Name = "db-upgrade" }).ClickAsync();
            Assert.Equal("2026-11-02T12:00:00+01:00", await page.GetByLabel("Ends at (RFC 3339 with its offset, e.g. 2026-12-02T02:00:00+01:00)").InputValueAsync());
            await page.GetByLabel("When").SelectOptionAsync("schedule");
            await page.GetByLabel("Schedule (in the time zone below, e.g. every 2nd sunday 02:00-04:00, every saturday 22:00-02:00, every day 03:00-03:30)").FillAsync("every saturday 22:00-02:00");
            await page.GetByLabel("Time zone of a recurring or cron window (IANA, e.g. Europe/Berlin; empty: UTC)").FillAsync("Mars/Olympus");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save maintenance window" }).ClickAsync();
            Assert.Contains("unknown time zone \"Mars/Olympus\"", await page.Locator("[data-error='time_zone']").InnerTextAsync());
            Assert.Equal("2026-11-02T08:30:00Z", (await WindowFromApiAsync("db-upgrade"))!.Value.GetProperty("starts_at").GetString());

            await page.GetByLabel("Time zone of a recurring or cron window (IANA, e.g. Europe/Berlin; empty: UTC)").FillAsync("Europe/Berlin");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save maintenance window" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/maintenance?done=saved", StringComparison.Ordinal));
            row = page.Locator("tr[data-window='db-upgrade']");
            Assert.Equal("upcoming", await row.GetAttributeAsync("data-state"));
            // Saturday 7 November 22:00 in Berlin (UTC+1) is 21:00 UTC.
            Assert.Equal("2026-11-07 21:00 – 2026-11-08 01:00", (await row.Locator("[data-next]").InnerTextAsync()).Trim());
            stored = (await WindowFromApiAsync("db-upgrade"))!.Value;
            Assert.Equal(("every saturday 22:00-02:00", "Europe/Berlin", JsonValueKind.Null),
                (stored.GetProperty("schedule").GetString(), stored.GetProperty("time_zone").GetString(), stored.GetProperty("starts_at").ValueKind));

            // Delete: refused until the box is ticked.
            await row.GetByRole(AriaRole.Link, new() { Name = "db-upgrade" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete maintenance window" }).ClickAsync();
            Assert.Equal("tick the box to confirm the deletion", await page.Locator("[data-error='confirm']").InnerTextAsync());
            Assert.NotNull(await WindowFromApiAsync("db-upgrade"));
            await page.GetByLabel("Yes, delete maintenance window db-upgrade").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete maintenance window" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/maintenance?done=deleted", StringComparison.Ordinal));
            Assert.Equal(0, await page.Locator("tr[data-window='db-upgrade']").CountAsync());
            Assert.Null(await WindowFromApiAsync("db-upgrade"));
            Assert.NotNull(await WindowFromApiAsync("db-patching"));
        });

    [Fact]
    public Task Chromium_extends_a_silence_with_the_reason_beside_the_field_when_refused() =>
        chromium.RunAsync(nameof(Chromium_extends_a_silence_with_the_reason_beside_the_field_when_refused), output, async page =>
        {
            var created = await server.Http.PostAsJsonAsync("/api/silences",
                new { matchers = new[] { "service=\"api\"" }, ends_at = server.Clock.GetUtcNow().AddHours(1), comment = "deploy" }, TestServer.Json);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            async Task<DateTimeOffset> EndInApiAsync() =>
                (await server.Http.GetFromJsonAsync<JsonElement>($"/api/silences/{id}")).GetProperty("ends_at").GetDateTimeOffset();

            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/alerts/silences"));
            const string Label = "New end (UTC, e.g. 2026-11-02 18:00, or +2h after the current end)";

            // Neither a time nor +duration: the console's reading, beside the field; nothing changed.
            var form = page.Locator($"form[data-extend='{id}']");
            await form.GetByLabel(Label).FillAsync("tomorrow");
            await form.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
            var error = page.Locator($"form[data-extend='{id}'] [data-error='ends_at']");
            Assert.Contains("\"tomorrow\" is neither a time", await error.InnerTextAsync());
            Assert.Equal("err-ends_at", await error.GetAttributeAsync("id"));
            Assert.Equal(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero), await EndInApiAsync());

            // A time in the past: the use case's reason.
            form = page.Locator($"form[data-extend='{id}']");
            await form.GetByLabel(Label).FillAsync("2026-11-02 08:00");
            await form.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
            Assert.Contains("must be in the future", await page.Locator($"form[data-extend='{id}'] [data-error='ends_at']").InnerTextAsync());
            Assert.Equal(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero), await EndInApiAsync());

            // +2h after the current end (10:00 UTC).
            form = page.Locator($"form[data-extend='{id}']");
            await form.GetByLabel(Label).FillAsync("+2h");
            await form.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains($"/alerts/silences?extended={id}", StringComparison.Ordinal));
            Assert.Equal(new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero), await EndInApiAsync());
            Assert.Contains("it ends 2026-11-02 12:00 UTC", await page.Locator($"[data-extended='{id}']").InnerTextAsync());
            Assert.Contains("2026-11-02 12:00", await page.Locator($"tr[data-silence='{id}']").InnerTextAsync());
            Assert.Equal(0, await page.Locator("[data-error]").CountAsync());

            // A time, read as UTC.
            await page.GotoAsync(Url("/alerts/silences"));
            form = page.Locator($"form[data-extend='{id}']");
            await form.GetByLabel(Label).FillAsync("2026-11-03 09:30");
            await form.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains($"/alerts/silences?extended={id}", StringComparison.Ordinal));
            Assert.Equal(new DateTimeOffset(2026, 11, 3, 9, 30, 0, TimeSpan.Zero), await EndInApiAsync());
        });
}
