using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class IncidentPagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: """
        services:
          - name: checkout
        status_pages:
          - name: public
            components:
              - name: Checkout
                services: [checkout]
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_opens_acknowledges_and_resolves_an_incident_and_sees_the_timeline_grow() =>
        chromium.RunAsync(nameof(Chromium_opens_acknowledges_and_resolves_an_incident_and_sees_the_timeline_grow), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/catalog").ToString());
            await page.GetByRole(AriaRole.Link, new() { Name = "Incidents", Exact = true }).ClickAsync();
            await page.WaitForPageAsync("**/incidents");

            await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Checkout returns 500");
            await page.GetByLabel("Severity").SelectOptionAsync("P1");
            await page.GetByLabel("Service", new() { Exact = true }).FillAsync("checkout");
            await page.GetByRole(AriaRole.Button, new() { Name = "Open incident" }).ClickAsync();
            await page.WaitForPageAsync("**/incidents/INC-2026-001");
            Assert.Equal("triggered", await page.Locator("[data-status]").InnerTextAsync());
            Assert.Equal(1, await page.Locator("table.timeline tbody tr").CountAsync());

            server.Clock.Advance(TimeSpan.FromMinutes(3));
            await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
            await page.Locator("[data-status=acknowledged]").WaitForAsync();
            Assert.Equal("3 minutes", await page.Locator("[data-tta]").InnerTextAsync());
            Assert.Contains("Acknowledged by test-admin after 3 minutes", await page.Locator("table.timeline tr[data-kind=acknowledged]").InnerTextAsync());

            await page.GetByLabel("Note", new() { Exact = true }).FillAsync("Connection pool exhausted");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
            await page.Locator("table.timeline tr[data-kind=note]").WaitForAsync();

            server.Clock.Advance(TimeSpan.FromMinutes(40));
            await page.GetByRole(AriaRole.Button, new() { Name = "Resolve", Exact = true }).ClickAsync();
            await page.Locator("[data-status=resolved]").WaitForAsync();
            Assert.Equal(
                ["opened", "acknowledged", "note", "resolved"],
                await page.Locator("table.timeline tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.kind)"));
            Assert.Contains("Resolved by test-admin after 43 minutes", await page.Locator("table.timeline tr[data-kind=resolved]").InnerTextAsync());
        });

    [Fact]
    public Task Chromium_publishes_an_incident_under_a_public_title_and_the_status_page_shows_only_that() =>
        chromium.RunAsync(nameof(Chromium_publishes_an_incident_under_a_public_title_and_the_status_page_shows_only_that), output, async page =>
        {
            var opened = await server.Http.PostAsync("/api/incidents", new StringContent(
                """{"title": "[FIRING:2] ErrorBudgetBurn checkout", "severity": "P2", "services": [{"service": "checkout", "impact": "degraded_performance"}]}""",
                System.Text.Encoding.UTF8, "application/json"));
            opened.EnsureSuccessStatusCode();
            // The history (the front page is then first fetched after publishing: the browser keeps a page for max-age=15).
            await page.GotoAsync(new Uri(server.BaseAddress, "/status/public/history").ToString());
            Assert.Equal(0, await page.Locator("article.incident").CountAsync());

            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/incidents/INC-2026-001").ToString());
            Assert.Equal("private", await page.Locator("[data-visibility]").InnerTextAsync());
            await page.GetByLabel("Public title").FillAsync("Checkout is slow");
            await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
            await page.Locator("[data-visibility=public]").WaitForAsync();
            Assert.Contains("Published to the status pages", await page.Locator("table.timeline tr[data-kind=visibility]").InnerTextAsync());

            await page.GotoAsync(new Uri(server.BaseAddress, "/status/public").ToString());
            Assert.Equal("Checkout is slow", await page.Locator("article.incident h3").InnerTextAsync());
            Assert.DoesNotContain("ErrorBudgetBurn", await page.Locator("main").InnerTextAsync());

            await page.GotoAsync(new Uri(server.BaseAddress, "/incidents/INC-2026-001").ToString());
            await page.GetByLabel("Type").SelectOptionAsync("security");
            await page.GetByRole(AriaRole.Button, new() { Name = "Change type" }).ClickAsync();
            await page.Locator("[data-visibility=private]").WaitForAsync();
            await page.GotoAsync(new Uri(server.BaseAddress, "/status/public").ToString());
            await page.ReloadAsync();
            Assert.Equal(0, await page.Locator("article.incident").CountAsync());
        });
}
