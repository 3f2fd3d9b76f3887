using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// Issue 23: what a new user does from the console alone — create a service and an HTTP monitor (trying it
/// with "Test now" first), watch it go down against a failing loopback target, and silence its alert from the
/// alert's page — plus the forms' errors beside the fields, config objects shown read-only, and a channel's
/// test notification. On SQLite, the default store.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class ConsoleFormsTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private NotificationReceiver target = null!;
    private NotificationReceiver receiver = null!;
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        // The monitored "website": a real loopback HTTP server that answers every request with 500.
        target = await NotificationReceiver.StartAsync();
        target.Status = 500;
        target.ResponseBody = "internal error";
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(configYaml: $"""
            services:
              - name: legacy
                description: Defined in the file, read-only in the console
            channels:
              - name: hook
                type: webhook
                url: {receiver.Url}/hook
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        await target.DisposeAsync();
    }

    private string Url(string path) => new Uri(server.BaseAddress, path).ToString();

    [Fact]
    public Task A_new_user_creates_a_service_and_an_http_monitor_sees_it_go_down_and_silences_its_alert() =>
        chromium.RunAsync(nameof(A_new_user_creates_a_service_and_an_http_monitor_sees_it_go_down_and_silences_its_alert), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);

            // A service, from the catalog's "Add service".
            await page.GotoAsync(Url("/catalog"));
            await page.GetByRole(AriaRole.Link, new() { Name = "Add service" }).ClickAsync();
            var serviceForm = page.Locator("form[data-form=create-service]");
            await serviceForm.GetByLabel("Name", new() { Exact = true }).FillAsync("shop");
            await serviceForm.GetByLabel("Description", new() { Exact = true }).FillAsync("The web shop");
            await serviceForm.GetByLabel("Owner (team)").FillAsync("team-web");
            await serviceForm.GetByRole(AriaRole.Button, new() { Name = "Create service" }).ClickAsync();
            await page.WaitForPageAsync("**/catalog/shop");
            Assert.Equal("shop", await page.Locator("h1 .name").InnerTextAsync());

            // An HTTP monitor for it, from the service page's "Add monitor"; "Test now" shows the failure before anything is saved.
            await page.GetByRole(AriaRole.Link, new() { Name = "Add monitor" }).ClickAsync();
            var monitorForm = page.Locator("form[data-form=create-monitor]");
            Assert.Equal("shop", await monitorForm.GetByLabel("Service").InputValueAsync());
            await monitorForm.GetByLabel("Name", new() { Exact = true }).FillAsync("shop-home");
            await monitorForm.GetByLabel("URL").FillAsync($"{target.Url}/");
            await monitorForm.GetByLabel("Interval").FillAsync("30s");
            await monitorForm.GetByRole(AriaRole.Button, new() { Name = "Test now" }).ClickAsync();
            var outcome = page.Locator("[data-test-outcome]");
            Assert.Equal("down", await outcome.GetAttributeAsync("data-test-outcome"));
            Assert.Contains("500", await outcome.InnerTextAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/monitors/shop-home")).StatusCode);
            Assert.Contains(target.Requests, r => r.Path == "/");

            await page.Locator("form[data-form=create-monitor]").GetByRole(AriaRole.Button, new() { Name = "Create monitor" }).ClickAsync();
            await page.WaitForPageAsync("**/monitors/shop-home");

            // Checks run on the fake clock: move it past intervals until the monitor is down and its MonitorDown alert is active.
            var alertRow = page.Locator("tr[data-alert]", new() { HasText = "MonitorDown" });
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                server.Clock.Advance(TimeSpan.FromSeconds(30));
                await page.GotoAsync(Url("/alerts"));
                if (await alertRow.CountAsync() > 0 || waited.Elapsed > Patience.Of(TimeSpan.FromSeconds(15)))
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);
            }
            Assert.Equal("active", await alertRow.GetAttributeAsync("data-state"));
            Assert.Contains("monitor=shop-home", await alertRow.InnerTextAsync());
            // The home page lists it among what is wrong now.
            await page.GotoAsync(Url("/"));
            Assert.Contains("shop", await page.Locator("[data-section=alerts] li", new() { HasText = "MonitorDown" }).InnerTextAsync());

            // The service page brings the monitor and its alert together; the monitor page draws its uptime bars.
            await page.GotoAsync(Url("/catalog/shop"));
            Assert.Contains("down", await page.Locator("tr[data-monitor=shop-home]").InnerTextAsync());
            Assert.Equal(1, await page.Locator("tr[data-alert]", new() { HasText = "MonitorDown" }).CountAsync());
            // The alert comes from the state in memory; the bars read the saved state changes, written a moment later.
            await server.AdvanceUntilAsync(async () =>
            {
                var uptime = await server.GetJsonAsync<System.Text.Json.JsonElement>("/api/monitors/shop-home/uptime?window=24h");
                return uptime.GetProperty("down_seconds").GetDouble() > 0;
            }, "the Down state change is saved");
            await page.GotoAsync(Url("/monitors/shop-home"));
            Assert.Equal(24, await page.Locator(".uptime-bars[data-window='24h'] .bar").CountAsync());
            Assert.Contains("bad", await page.Locator(".uptime-bars .bar").Last.GetAttributeAsync("class") ?? "");
            await page.GetByRole(AriaRole.Link, new() { Name = "7d", Exact = true }).ClickAsync();
            await page.WaitForPageAsync("**/monitors/shop-home?bars=7d");
            Assert.Equal(7, await page.Locator(".uptime-bars[data-window='7d'] .bar").CountAsync());
            await page.GotoAsync(Url("/alerts"));

            // Silence it from its page: the form comes prefilled with the alert's labels.
            await alertRow.GetByRole(AriaRole.Link, new() { Name = "MonitorDown" }).ClickAsync();
            await page.WaitForPageAsync("**/alerts/*");
            var alertPage = page.Url;
            await page.GetByRole(AriaRole.Link, new() { Name = "Silence this" }).ClickAsync();
            await page.WaitForPageAsync("**/alerts/silences?alert=*");
            var silenceForm = page.Locator("form[data-form=create-silence]");
            var matchers = await silenceForm.GetByLabel("Matchers").InputValueAsync();
            Assert.Contains("alertname=\"MonitorDown\"", matchers);
            Assert.Contains("monitor=\"shop-home\"", matchers);
            Assert.Contains("service=\"shop\"", matchers);
            await silenceForm.GetByLabel("Comment").FillAsync("known outage, fixing the shop");
            await silenceForm.GetByRole(AriaRole.Button, new() { Name = "Silence" }).ClickAsync();

            await page.WaitForPageAsync(alertPage);
            var state = await page.Locator("[data-state]").InnerTextAsync();
            Assert.StartsWith("suppressed", state);
            Assert.Contains("silenced by", state);
        });

    [Fact]
    public Task A_monitor_form_shows_the_APIs_errors_beside_the_fields_and_saves_nothing() =>
        chromium.RunAsync(nameof(A_monitor_form_shows_the_APIs_errors_beside_the_fields_and_saves_nothing), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/monitors"));
            var form = page.Locator("form[data-form=create-monitor]");
            await form.GetByLabel("Name", new() { Exact = true }).FillAsync("broken");
            await form.GetByLabel("Service").SelectOptionAsync("legacy");
            await form.GetByLabel("URL").FillAsync("not a url");
            await form.GetByRole(AriaRole.Button, new() { Name = "Create monitor" }).ClickAsync();

            var error = page.Locator("[data-error=url]");
            Assert.Equal("\"not a url\" is not an absolute http(s) URL", await error.InnerTextAsync());
            Assert.Equal("err-url", await form.GetByLabel("URL").GetAttributeAsync("aria-describedby"));
            Assert.Equal("err-url", await error.GetAttributeAsync("id"));
            // What was typed stays in the form to be corrected.
            Assert.Equal("not a url", await form.GetByLabel("URL").InputValueAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/monitors/broken")).StatusCode);
        });

    [Fact]
    public Task A_service_from_vigil_yaml_shows_where_it_is_defined_and_no_edit_form() =>
        chromium.RunAsync(nameof(A_service_from_vigil_yaml_shows_where_it_is_defined_and_no_edit_form), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/catalog/legacy"));

            Assert.Contains("Defined in vigil.yaml line 2", await page.Locator(".defined-in").InnerTextAsync());
            Assert.Equal(0, await page.Locator("form[data-form=edit-service]").CountAsync());
            Assert.Equal(0, await page.Locator("form[data-form=delete-service]").CountAsync());
        });

    [Fact]
    public Task Send_a_test_notification_delivers_to_the_channel_and_shows_the_outcome() =>
        chromium.RunAsync(nameof(Send_a_test_notification_delivers_to_the_channel_and_shows_the_outcome), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/notifications"));
            var row = page.Locator("tr[data-channel=hook]");
            Assert.Contains("Defined in vigil.yaml line", await row.Locator(".defined-in").InnerTextAsync());

            await row.GetByRole(AriaRole.Button, new() { Name = "Send a test notification to hook" }).ClickAsync();

            // The page looks again by itself until the outbox has tried.
            await page.Locator("[data-test-notification=delivered]").WaitForAsync();
            Assert.Contains("hook", await page.Locator("[data-test-notification]").InnerTextAsync());
            Assert.Contains(receiver.Requests, r => r.Path == "/hook" && r.Text.Contains("TestAlert", StringComparison.Ordinal));
        });

    [Fact]
    public Task An_api_service_is_edited_and_deleted_from_its_page_the_delete_asking_for_confirmation() =>
        chromium.RunAsync(nameof(An_api_service_is_edited_and_deleted_from_its_page_the_delete_asking_for_confirmation), output, async page =>
        {
            (await server.Http.PostAsJsonAsync("/api/services", new { name = "cart", tier = 3 })).EnsureSuccessStatusCode();
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/catalog/cart"));
            var form = page.Locator("form[data-form=edit-service]");
            Assert.Equal("3", await form.GetByLabel("Tier").InputValueAsync());

            // A bad environment URL: the reason beside the field, nothing saved.
            await form.GetByLabel("Environments").FillAsync("production not-a-url");
            await form.GetByRole(AriaRole.Button, new() { Name = "Save service" }).ClickAsync();
            Assert.Contains("is not an absolute http(s) URL", await page.Locator("[data-error='environments[0].url']").InnerTextAsync());
            Assert.Equal(0, (await server.GetJsonAsync<System.Text.Json.JsonElement>("/api/services/cart")).GetProperty("environments").GetArrayLength());

            await form.GetByLabel("Environments").FillAsync("production https://cart.example.com");
            await form.GetByLabel("Owner (team)").FillAsync("team-cart");
            await form.GetByLabel("Tier").SelectOptionAsync("1");
            await form.GetByLabel("Dependencies").FillAsync("legacy critical");
            await form.GetByRole(AriaRole.Button, new() { Name = "Save service" }).ClickAsync();
            await page.Locator("[data-saved]").WaitForAsync();
            var saved = await server.GetJsonAsync<System.Text.Json.JsonElement>("/api/services/cart");
            Assert.Equal(1, saved.GetProperty("tier").GetInt32());
            Assert.Equal("team-cart", saved.GetProperty("owner").GetString());
            Assert.Equal("legacy", saved.GetProperty("dependencies")[0].GetProperty("target").GetString());

            // Delete without ticking the box is refused; ticked, the service is gone.
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete service" }).ClickAsync();
            Assert.Equal("tick the box to confirm the deletion", await page.Locator("[data-error=confirm]").InnerTextAsync());
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/services/cart")).StatusCode);
            await page.GetByLabel("Yes, delete cart").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete service" }).ClickAsync();
            await page.WaitForPageAsync("**/catalog");
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/services/cart")).StatusCode);

            var audit = await server.AuditAsync();
            Assert.Contains(audit, e => e is { Action: "update", Resource: "service", ResourceId: "cart", Username: TestServer.AdminUsername });
            Assert.Contains(audit, e => e is { Action: "delete", Resource: "service", ResourceId: "cart", Username: TestServer.AdminUsername });
        });

    [Fact]
    public Task A_monitor_is_tested_edited_paused_resumed_and_deleted_from_its_page() =>
        chromium.RunAsync(nameof(A_monitor_is_tested_edited_paused_resumed_and_deleted_from_its_page), output, async page =>
        {
            (await server.Http.PostAsJsonAsync("/api/monitors", new { name = "legacy-port", type = "tcp", service = "legacy", host = "127.0.0.1", port = 1, interval = "1h" })).EnsureSuccessStatusCode();
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/monitors/legacy-port"));
            var form = page.Locator("form[data-form=edit-monitor]");
            Assert.Equal("tcp", await form.GetByLabel("Kind").InputValueAsync());
            Assert.True(await form.GetByLabel("URL").IsHiddenAsync());

            await form.GetByLabel("Port").FillAsync("2");
            await form.GetByRole(AriaRole.Button, new() { Name = "Test now" }).ClickAsync();
            Assert.Contains("connection refused", await page.Locator("[data-test-outcome=down]").InnerTextAsync());
            Assert.Equal(1, (await server.GetJsonAsync<System.Text.Json.JsonElement>("/api/monitors/legacy-port")).GetProperty("definition").GetProperty("port").GetInt32());

            await page.Locator("form[data-form=edit-monitor]").GetByRole(AriaRole.Button, new() { Name = "Save monitor" }).ClickAsync();
            await page.Locator("[data-saved]").WaitForAsync();
            Assert.Equal(2, (await server.GetJsonAsync<System.Text.Json.JsonElement>("/api/monitors/legacy-port")).GetProperty("definition").GetProperty("port").GetInt32());

            await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).WaitForAsync();
            Assert.Equal("paused", await page.Locator("h1 .status").InnerTextAsync());
            await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).WaitForAsync();

            await page.GetByLabel("Yes, delete legacy-port").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete monitor" }).ClickAsync();
            await page.WaitForPageAsync("**/monitors");
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/monitors/legacy-port")).StatusCode);
        });

    [Fact]
    public Task A_multi_step_monitor_is_written_as_yaml_tested_saved_and_shown_again_with_errors_by_line() =>
        chromium.RunAsync(nameof(A_multi_step_monitor_is_written_as_yaml_tested_saved_and_shown_again_with_errors_by_line), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/monitors"));
            var form = page.Locator("form[data-form=create-monitor]");
            await form.GetByLabel("Name", new() { Exact = true }).FillAsync("checkout-flow");
            await form.GetByLabel("Kind").SelectOptionAsync("multi_step");
            await form.GetByLabel("Service").SelectOptionAsync("legacy");
            var steps = form.GetByLabel("Steps, in order");
            // A mistake first: the second step has no url. The error names the step and stays beside the box.
            await steps.FillAsync($"""
                - name: sign in
                  url: {target.Url}/login
                  method: POST
                  expected_status: 500
                - name: orders
                  method: GET
                """);
            await form.GetByRole(AriaRole.Button, new() { Name = "Create monitor" }).ClickAsync();
            Assert.Contains("line 5", await page.Locator("[data-error=steps]").First.InnerTextAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/monitors/checkout-flow")).StatusCode);

            form = page.Locator("form[data-form=create-monitor]");
            await form.GetByLabel("Steps, in order").FillAsync($$"""
                - name: sign in
                  url: {{target.Url}}/login
                  method: POST
                  body: '{"user": "probe"}'
                  expected_status: 500
                - name: orders
                  url: {{target.Url}}/orders
                  headers: {X-Probe: checkout}
                  expected_status: [500, 503]
                """);
            await form.GetByRole(AriaRole.Button, new() { Name = "Test now" }).ClickAsync();
            await page.Locator("[data-test-outcome=up]").WaitForAsync();
            Assert.Contains(target.Requests, r => r.Path == "/orders" && r.Header("X-Probe") == "checkout");

            await page.Locator("form[data-form=create-monitor]").GetByRole(AriaRole.Button, new() { Name = "Create monitor" }).ClickAsync();
            await page.WaitForPageAsync("**/monitors/checkout-flow");
            var definition = (await server.GetJsonAsync<System.Text.Json.JsonElement>("/api/monitors/checkout-flow")).GetProperty("definition");
            var saved = definition.GetProperty("steps");
            Assert.Equal(2, saved.GetArrayLength());
            Assert.Equal("{\"user\": \"probe\"}", saved[0].GetProperty("body").GetString());
            Assert.Equal([500, 503], saved[1].GetProperty("expected_status").EnumerateArray().Select(v => v.GetInt32()));

            // The edit form shows the same steps as YAML; saving it unchanged keeps them.
            var yaml = await page.Locator("form[data-form=edit-monitor] textarea[name='Form.Steps']").InputValueAsync();
            Assert.Contains("- name: sign in", yaml, StringComparison.Ordinal);
            Assert.Contains("X-Probe: checkout", yaml, StringComparison.Ordinal);
            await page.Locator("form[data-form=edit-monitor]").GetByRole(AriaRole.Button, new() { Name = "Save monitor" }).ClickAsync();
            await page.Locator("[data-saved]").WaitForAsync();
            Assert.Equal(saved.GetRawText(), (await server.GetJsonAsync<System.Text.Json.JsonElement>("/api/monitors/checkout-flow")).GetProperty("definition").GetProperty("steps").GetRawText());
        });
}
