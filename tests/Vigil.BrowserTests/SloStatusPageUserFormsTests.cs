using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>The console's SLO, status page and user forms: a happy path each, a refused input with the API's reason beside its field, and config objects read-only.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class SloStatusPageUserFormsTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: api
          - name: web
        monitors:
          - name: api-port
            type: tcp
            service: api
            host: 127.0.0.1
            port: 1
        slos:
          - name: from-config
            service: api
            target: "99.9"
            monitor: api-port
        status_pages:
          - name: public
            components:
              - name: API
                services: [api]
        """;

    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private string Url(string path) => new Uri(server.BaseAddress, path).ToString();

    [Fact]
    public Task Chromium_creates_edits_and_deletes_an_slo() =>
        chromium.RunAsync(nameof(Chromium_creates_edits_and_deletes_an_slo), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/slos/from-config/edit"));
            Assert.Matches(@"Defined in .*vigil\.yaml.*line 11", await page.Locator(".defined-in").InnerTextAsync());
            Assert.Equal(0, await page.Locator("form[data-slo-form]").CountAsync());

            await page.GotoAsync(Url("/slos"));
            Assert.Equal(0, await page.Locator("[data-edit-slo='from-config']").CountAsync());
            await page.Locator("[data-new-slo]").ClickAsync();
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("api-up");
            await page.Locator("select[name='Form.Service']").SelectOptionAsync("api");
            await page.GetByLabel("Objective (99.9, 99.9% or 0.999)").FillAsync("150");
            await page.Locator("select[name='Form.Monitor']").SelectOptionAsync("api-port");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save SLO" }).ClickAsync();
            Assert.Contains("is not a target between 0 and 100", await page.Locator("[data-error='target']").InnerTextAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/slos/api-up")).StatusCode);

            await page.GetByLabel("Objective (99.9, 99.9% or 0.999)").FillAsync("99.5");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save SLO" }).ClickAsync();
            await page.WaitForPageAsync(url => url.EndsWith("/slos/api-up", StringComparison.Ordinal));

            // Edit: a ratio SLO instead, its queries refused first (a bad query without a total).
            await page.GotoAsync(Url("/slos"));
            await page.Locator("[data-edit-slo='api-up']").ClickAsync();
            Assert.Equal("99.5", await page.GetByLabel("Objective (99.9, 99.9% or 0.999)").InputValueAsync());
            await page.GetByLabel("Measured as (SLI)").SelectOptionAsync("ratio");
            await page.GetByLabel("or bad events query").FillAsync("sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save SLO" }).ClickAsync();
            Assert.Equal("is required", await page.Locator("[data-error='ratio.total']").InnerTextAsync());
            await page.GetByLabel("Total events query").FillAsync("sum(rate(http_requests_total[{{.window}}]))");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save SLO" }).ClickAsync();
            await page.WaitForPageAsync(url => url.EndsWith("/slos/api-up", StringComparison.Ordinal));
            var saved = await server.Http.GetStringAsync("/api/slos/api-up");
            Assert.Contains("\"ratio\"", saved);
            Assert.Contains("sum(rate(http_requests_total[{{.window}}]))", saved);

            await page.GotoAsync(Url("/slos/api-up/edit"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete SLO api-up" }).ClickAsync();
            await page.WaitForPageAsync(url => url.EndsWith("/slos", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/slos/api-up")).StatusCode);
        });

    [Fact]
    public Task Chromium_builds_a_status_page_from_component_rows_and_reorders_them() =>
        chromium.RunAsync(nameof(Chromium_builds_a_status_page_from_component_rows_and_reorders_them), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/status-pages/public"));
            Assert.Matches(@"Defined in .*vigil\.yaml.*line 16", await page.Locator(".defined-in").InnerTextAsync());
            Assert.Equal(0, await page.Locator("form[data-status-page-form]").CountAsync());

            await page.GotoAsync(Url("/status-pages"));
            await page.Locator("[data-new-status-page]").ClickAsync();
            await page.GetByLabel("Name (the address /status/NAME)").FillAsync("team");
            await page.GetByLabel("Title").FillAsync("Team status");
            await page.GetByLabel("Logo URL").FillAsync("ftp://example.com/logo.png");
            await page.GetByLabel("Component 1 name").FillAsync("API");
            await page.GetByLabel("Component 1 services").FillAsync("api");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add a component" }).ClickAsync();
            await page.GetByLabel("Component 2 name").FillAsync("Website");
            await page.GetByLabel("Component 2 group").FillAsync("Edge");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save status page" }).ClickAsync();
            Assert.Equal("must be an http(s) URL or a path starting with /", await page.Locator("[data-error='logo']").InnerTextAsync());
            Assert.Contains("give at least one catalog service or monitor", await page.Locator("tr[data-component='1'] [data-error='components[1].services']").InnerTextAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/status-pages/team")).StatusCode);

            await page.GetByLabel("Logo URL").FillAsync("");
            await page.GetByLabel("Component 2 services").FillAsync("web");
            await page.GetByRole(AriaRole.Button, new() { Name = "Move component 2 up" }).ClickAsync();
            Assert.Equal("Website", await page.GetByLabel("Component 1 name").InputValueAsync());
            await page.GetByRole(AriaRole.Button, new() { Name = "Save status page" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/status-pages?saved=team", StringComparison.Ordinal));

            var saved = JsonDocument.Parse(await server.Http.GetStringAsync("/api/status-pages/team")).RootElement.GetProperty("definition");
            Assert.Equal(["Website", "API"], saved.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
            Assert.Equal("Edge", saved.GetProperty("components")[0].GetProperty("group").GetString());
            await page.GotoAsync(Url("/status/team"));
            Assert.Equal("Team status", await page.Locator("h1").InnerTextAsync());

            // Remove a component and save: the page keeps one.
            await page.GotoAsync(Url("/status-pages/team"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Remove component 2" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save status page" }).ClickAsync();
            await page.WaitForPageAsync(url => url.Contains("/status-pages?saved=team", StringComparison.Ordinal));
            saved = JsonDocument.Parse(await server.Http.GetStringAsync("/api/status-pages/team")).RootElement.GetProperty("definition");
            Assert.Equal(["Website"], saved.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        });

    [Fact]
    public Task Chromium_creates_a_user_sets_scoped_roles_and_erases_them() =>
        chromium.RunAsync(nameof(Chromium_creates_a_user_sets_scoped_roles_and_erases_them), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/access/users"));
            var create = page.Locator("form[data-create-user]");
            await create.GetByLabel("Username").FillAsync("bob smith");
            await create.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
            Assert.Contains("1-100 of letters, digits", await page.Locator("form[data-create-user] [data-error='username']").InnerTextAsync());

            create = page.Locator("form[data-create-user]");
            await create.GetByLabel("Username").FillAsync("bob");
            await create.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
            Assert.NotEmpty(await page.Locator("[data-one-time-password]").InnerTextAsync());

            var roles = page.Locator("form[data-roles-of='bob']");
            await roles.GetByLabel("Roles of bob (comma-separated; role or role:scope)").FillAsync("operator, wizard");
            await roles.GetByRole(AriaRole.Button, new() { Name = "Set roles" }).ClickAsync();
            Assert.Contains("unknown role \"wizard\"", await page.Locator("form[data-roles-of='bob'] [data-error='roles[1].role']").InnerTextAsync());

            roles = page.Locator("form[data-roles-of='bob']");
            await roles.GetByLabel("Roles of bob (comma-separated; role or role:scope)").FillAsync("operator, viewer:payments");
            await roles.GetByRole(AriaRole.Button, new() { Name = "Set roles" }).ClickAsync();
            Assert.Contains("viewer (payments)", await page.Locator("tr[data-user='bob']").InnerTextAsync());
            Assert.Equal("operator, viewer:payments", await page.Locator("form[data-roles-of='bob'] input[name='RoleChange.Roles']").InputValueAsync());

            // What the API's export gives, downloaded from the console with the session alone.
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export bob's personal data" }).ClickAsync());
            Assert.Equal("vigil-personal-data-bob.json", download.SuggestedFilename);
            var exported = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)).RootElement;
            Assert.Contains("\"bob\"", exported.GetRawText(), StringComparison.Ordinal);

            await page.GetByRole(AriaRole.Button, new() { Name = "Erase bob's personal data" }).ClickAsync();
            Assert.Equal(1, await page.Locator("tr[data-user^='erased-user-'] .badge", new() { HasText = "erased" }).CountAsync());
        });
}
