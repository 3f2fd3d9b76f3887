using System.Text.Json;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// Schedules, overrides and escalation policies created and changed from the console. The test clock
/// starts on Monday 2 November 2026, 09:00 UTC (10:00 in Berlin).
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class OnCallPagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Config = """
        schedules:
          - name: primary
            time_zone: Europe/Berlin
            layers:
              - {rotation: weekly, handoff: "mon 09:00", start: 2026-11-02, participants: [test-admin]}
        escalation_policies:
          - name: from-config
            levels:
              - targets: [{schedule: primary}]
        """;

    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private string Url(string path) => new Uri(server.BaseAddress, path).ToString();

    [Fact]
    public Task Chromium_creates_a_schedule_adds_an_override_and_sees_the_timeline_change() =>
        chromium.RunAsync(nameof(Chromium_creates_a_schedule_adds_an_override_and_sees_the_timeline_change), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/oncall"));
            await page.Locator("[data-new-schedule]").ClickAsync();

            // Refused: the API's reason shows beside the time zone, and nothing is stored.
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("support");
            await page.GetByLabel("Time zone (IANA, e.g. Europe/Berlin)").FillAsync("Mars/Olympus");
            await page.GetByLabel("Rotation").SelectOptionAsync("daily");
            await page.GetByLabel("Hand-off (local time, 09:00; weekly: mon 09:00)").FillAsync("09:00");
            await page.GetByLabel("Start date (first participant's first shift)").FillAsync("2026-11-01");
            await page.GetByLabel("Participants (usernames in turn order, comma-separated)").FillAsync("alice, test-admin");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
            var zoneError = page.Locator("[data-error='time_zone']");
            Assert.Contains("unknown time zone \"Mars/Olympus\"", await zoneError.InnerTextAsync());
            Assert.Equal("err-time_zone", await zoneError.GetAttributeAsync("id"));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/schedules/support")).StatusCode);

            // The form kept what was typed: fix the zone and save.
            Assert.Equal("alice, test-admin", await page.GetByLabel("Participants (usernames in turn order, comma-separated)").InputValueAsync());
            await page.GetByLabel("Time zone (IANA, e.g. Europe/Berlin)").FillAsync("Europe/Berlin");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/oncall?done=created", StringComparison.Ordinal));

            var section = page.Locator("section[data-schedule='support']");
            // 10:00 in Berlin on 2 November: the turn that began on 1 November at 09:00 (alice) ended at 09:00 today.
            Assert.Equal("test-admin", await section.Locator("p.now").GetAttributeAsync("data-now"));
            var final = section.Locator("g[data-row='final']");
            Assert.Equal(0, await final.Locator("g.bar[data-user='zoe']").CountAsync());
            Assert.Equal(1, await section.Locator("g.now").CountAsync());

            // Add an override for zoe on Tuesday afternoon (Berlin time).
            var form = section.Locator("form[data-add-override='support']");
            await form.GetByLabel("User").FillAsync("zoe");
            await form.GetByLabel("From (Europe/Berlin)").FillAsync("2026-11-03T12:00");
            await form.GetByLabel("Until").FillAsync("2026-11-03T18:00");
            await form.GetByRole(AriaRole.Button, new() { Name = "Add override" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/oncall?days=7", StringComparison.Ordinal));

            section = page.Locator("section[data-schedule='support']");
            var overrideBar = section.Locator("g[data-row='overrides'] g.bar[data-user='zoe']");
            Assert.Equal("2026-11-03T11:00:00Z", await overrideBar.GetAttributeAsync("data-start"));
            Assert.Equal("2026-11-03T17:00:00Z", await overrideBar.GetAttributeAsync("data-end"));
            var finalBar = section.Locator("g[data-row='final'] g.bar[data-user='zoe']");
            Assert.Equal("2026-11-03T11:00:00Z", await finalBar.GetAttributeAsync("data-start"));
            Assert.Equal("2026-11-03T17:00:00Z", await finalBar.GetAttributeAsync("data-end"));
            Assert.Contains("zoe: Tue 2026-11-03 12:00", await finalBar.Locator("title").TextContentAsync());
            // Around it the layer still decides: alice's turn from Tuesday 09:00 is cut by the override.
            Assert.Equal(1, await section.Locator("g[data-row='final'] g.bar[data-user='alice'][data-end='2026-11-03T11:00:00Z']").CountAsync());
            Assert.Equal(1, await section.Locator("g[data-row='final'] g.bar[data-user='alice'][data-start='2026-11-03T17:00:00Z']").CountAsync());
            Assert.Equal(1, await section.Locator("li[data-override]").CountAsync());

            // Refused override: the end before the start, shown beside "Until".
            form = section.Locator("form[data-add-override='support']");
            await form.GetByLabel("User").FillAsync("zoe");
            await form.GetByLabel("From (Europe/Berlin)").FillAsync("2026-11-04T12:00");
            await form.GetByLabel("Until").FillAsync("2026-11-04T10:00");
            await form.GetByRole(AriaRole.Button, new() { Name = "Add override" }).ClickAsync();
            Assert.Equal("must be after start", await page.Locator("form[data-add-override='support'] [data-error='end']").InnerTextAsync());
            Assert.Equal(1, await page.Locator("section[data-schedule='support'] li[data-override]").CountAsync());

            // One day shown (today, Monday, in Berlin): Tuesday's override is outside it.
            await page.GotoAsync(Url("/oncall?days=1"));
            Assert.Equal(0, await page.Locator("section[data-schedule='support'] g[data-row='overrides'] g.bar").CountAsync());

            // Delete the override: alice is back on Tuesday afternoon.
            await page.GotoAsync(Url("/oncall"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete the override of zoe" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/oncall?days=7", StringComparison.Ordinal));
            section = page.Locator("section[data-schedule='support']");
            Assert.Equal(0, await section.Locator("li[data-override]").CountAsync());
            Assert.Equal(0, await section.Locator("g[data-row='final'] g.bar[data-user='zoe']").CountAsync());
            Assert.Equal(1, await section.Locator("g[data-row='final'] g.bar[data-user='alice'][data-start='2026-11-03T08:00:00Z'][data-end='2026-11-04T08:00:00Z']").CountAsync());
        });

    [Fact]
    public Task Chromium_edits_and_deletes_a_schedule_and_sees_a_config_schedule_read_only() =>
        chromium.RunAsync(nameof(Chromium_edits_and_deletes_a_schedule_and_sees_a_config_schedule_read_only), output, async page =>
        {
            var created = await server.Http.PostAsync("/api/schedules", new StringContent(
                """{"name": "nights", "time_zone": "UTC", "layers": [{"name": "week", "rotation": "weekly", "handoff": "mon 09:00", "start": "2026-11-02", "participants": ["test-admin"]}]}""",
                System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
            await ConsoleSession.SignInAsync(page, server);

            // The config schedule: no edit link, no form, the line it is defined on.
            await page.GotoAsync(Url("/oncall"));
            Assert.Equal(0, await page.Locator("[data-edit-schedule='primary']").CountAsync());
            await page.GotoAsync(Url("/oncall/schedules/primary"));
            Assert.Matches(@"Defined in .*vigil\.yaml.*line 2", await page.Locator(".defined-in").InnerTextAsync());
            Assert.Equal(0, await page.Locator("form[data-schedule-form]").CountAsync());

            // Edit: add a night-time layer restricted to 20:00-08:00, with a restriction the API refuses first.
            await page.GotoAsync(Url("/oncall"));
            await page.Locator("[data-edit-schedule='nights']").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add a layer" }).ClickAsync();
            var layer = page.Locator("fieldset[data-layer='1']");
            await layer.GetByLabel("Layer name").FillAsync("night");
            await layer.GetByLabel("Rotation").SelectOptionAsync("daily");
            await layer.GetByLabel("Hand-off (local time, 09:00; weekly: mon 09:00)").FillAsync("20:00");
            await layer.GetByLabel("Start date (first participant's first shift)").FillAsync("2026-11-02");
            await layer.GetByLabel("Participants (usernames in turn order, comma-separated)").FillAsync("zoe");
            await layer.GetByLabel("Restrictions (one per line: days from-to, e.g. mon-fri 09:00-17:00; empty: all the time)").FillAsync("mon-sun 20:00-25:00");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
            Assert.Contains("is not a local time", await page.Locator("fieldset[data-layer='1'] [data-error^='layers[1].restrictions']").InnerTextAsync());

            await page.Locator("fieldset[data-layer='1']").GetByLabel("Restrictions (one per line: days from-to, e.g. mon-fri 09:00-17:00; empty: all the time)").FillAsync("mon-sun 20:00-08:00");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/oncall?done=saved", StringComparison.Ordinal));
            var section = page.Locator("section[data-schedule='nights']");
            Assert.Equal(2, await section.Locator("g[data-row='layer']").CountAsync());
            // The night layer wins at night: Monday 20:00 UTC is zoe's.
            Assert.Equal("2026-11-02T20:00:00Z", await section.Locator("g[data-row='final'] g.bar[data-user='zoe']").First.GetAttributeAsync("data-start"));

            // Delete.
            await page.Locator("[data-edit-schedule='nights']").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete schedule nights" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/oncall?done=deleted", StringComparison.Ordinal));
            Assert.Equal(0, await page.Locator("section[data-schedule='nights']").CountAsync());
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/schedules/nights")).StatusCode);
        });

    [Fact]
    public Task Chromium_sets_how_often_an_imported_calendar_is_read_again() =>
        chromium.RunAsync(nameof(Chromium_sets_how_often_an_imported_calendar_is_read_again), output, async page =>
        {
            var created = await server.Http.PostAsync("/api/schedules", new StringContent(
                """{"name": "vendor", "time_zone": "UTC", "layers": [{"name": "theirs", "rotation": "ical", "url": "http://127.0.0.1:9/vendor.ics"}]}""",
                System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/oncall/schedules/vendor"));
            var refresh = page.Locator("fieldset[data-layer='0']").GetByLabel("Read the calendar again every (ical only; default 15m, at least 1m)");

            // The form's own reading, then the API's rule, each beside the field; nothing saved meanwhile.
            await refresh.FillAsync("soon");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
            Assert.Equal("\"soon\" is not a duration (30m, 1h)", await page.Locator("[data-error='layers[0].refresh']").InnerTextAsync());
            await page.Locator("fieldset[data-layer='0']").GetByLabel("Read the calendar again every (ical only; default 15m, at least 1m)").FillAsync("30s");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
            Assert.Equal("must be at least 1m", await page.Locator("[data-error='layers[0].refresh']").InnerTextAsync());
            var layer = JsonDocument.Parse(await server.Http.GetStringAsync("/api/schedules/vendor")).RootElement.GetProperty("layers")[0];
            Assert.False(layer.TryGetProperty("refresh", out var none) && none.ValueKind != JsonValueKind.Null);

            await page.Locator("fieldset[data-layer='0']").GetByLabel("Read the calendar again every (ical only; default 15m, at least 1m)").FillAsync("1h");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/oncall?done=saved", StringComparison.Ordinal));
            layer = JsonDocument.Parse(await server.Http.GetStringAsync("/api/schedules/vendor")).RootElement.GetProperty("layers")[0];
            Assert.Equal("1h", layer.GetProperty("refresh").GetString());
            await page.GotoAsync(Url("/oncall/schedules/vendor"));
            Assert.Equal("1h", await page.Locator("input[name='Form.Layers[0].Refresh']").InputValueAsync());
        });

    [Fact]
    public Task Chromium_creates_an_escalation_policy_with_the_apis_reasons_beside_the_fields() =>
        chromium.RunAsync(nameof(Chromium_creates_an_escalation_policy_with_the_apis_reasons_beside_the_fields), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/oncall/escalation-policies/from-config"));
            Assert.Matches(@"Defined in .*vigil\.yaml.*line \d+", await page.Locator(".defined-in").InnerTextAsync());
            Assert.Equal(0, await page.Locator("form[data-policy-form]").CountAsync());

            await page.GotoAsync(Url("/oncall/escalation-policies"));
            await page.Locator("[data-new-policy]").ClickAsync();
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("checkout");
            await page.Locator("fieldset[data-level='0']").GetByLabel("Targets (comma-separated: user:NAME, schedule:NAME or contact:NAME)").FillAsync("schedule:nosuch");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save policy" }).ClickAsync();
            Assert.Contains("nosuch", await page.Locator("fieldset[data-level='0'] [data-error^='levels[0].targets']").InnerTextAsync());

            await page.Locator("fieldset[data-level='0']").GetByLabel("Targets (comma-separated: user:NAME, schedule:NAME or contact:NAME)").FillAsync("schedule:primary");
            await page.Locator("fieldset[data-level='0']").GetByLabel("Delay before the next level (5m, 1h; empty on a last level that does not repeat)").FillAsync("5m");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add a level" }).ClickAsync();
            await page.Locator("fieldset[data-level='1']").GetByLabel("Targets (comma-separated: user:NAME, schedule:NAME or contact:NAME)").FillAsync("user:test-admin");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save policy" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("done=saved", StringComparison.Ordinal));

            var policy = await server.Http.GetStringAsync("/api/escalation-policies/checkout");
            Assert.Contains("\"schedule\":\"primary\"", policy);
            Assert.Contains("\"user\":\"test-admin\"", policy);
            Assert.Contains("5m", await page.Locator("tr[data-policy='checkout']").InnerTextAsync());
        });
}
