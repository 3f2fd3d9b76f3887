using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class IncidentPagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: "services:\n  - name: checkout\n");

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_opens_acknowledges_and_resolves_an_incident_and_sees_the_timeline_grow() =>
        chromium.RunAsync(nameof(Chromium_opens_acknowledges_and_resolves_an_incident_and_sees_the_timeline_grow), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/catalog").ToString());
            await page.GetByRole(AriaRole.Link, new() { Name = "Incidents", Exact = true }).ClickAsync();
            await page.WaitForURLAsync("**/incidents");

            await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Checkout returns 500");
            await page.GetByLabel("Severity").SelectOptionAsync("P1");
            await page.GetByLabel("Service", new() { Exact = true }).FillAsync("checkout");
            await page.GetByRole(AriaRole.Button, new() { Name = "Open incident" }).ClickAsync();
            await page.WaitForURLAsync("**/incidents/INC-2026-001");
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
}
