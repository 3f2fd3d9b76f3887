using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class CatalogPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
            description: Takes the money
            tier: 1
            owner: payments-team
            tags: [customer-facing]
            contacts:
              - name: Dana Reyes
                role: DBA
                phone: "+1 555 0100"
            environments:
              - name: production
                url: https://checkout.example.com
              - name: staging
            dependencies:
              - service: inventory
                critical: true
              - external: Stripe
                kind: third_party_api
          - name: inventory
            tier: 2
            environments:
              - name: production
        """;

    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_shows_the_services_from_the_config_with_their_environments_and_dependencies() =>
        chromium.RunAsync(nameof(Chromium_shows_the_services_from_the_config_with_their_environments_and_dependencies), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
            await page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "Services", Exact = true }).ClickAsync();
            await page.WaitForPageAsync("**/catalog");
            Assert.Equal("Service catalog · Vigil", await page.TitleAsync());
            var rows = page.Locator("table.catalog tbody tr");
            Assert.Equal(["checkout", "inventory"], await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.service)"));
            var checkout = page.Locator("tr[data-service=checkout]");
            Assert.Contains("production", await checkout.InnerTextAsync());
            Assert.Contains("staging", await checkout.InnerTextAsync());
            Assert.Contains("Stripe", await checkout.InnerTextAsync());
            Assert.Equal("https://checkout.example.com/", await checkout.GetByRole(AriaRole.Link, new() { Name = "production" }).EvaluateAsync<string>("a => a.href"));
        });

    [Fact]
    public Task Chromium_follows_a_dependency_to_the_service_it_points_at() =>
        chromium.RunAsync(nameof(Chromium_follows_a_dependency_to_the_service_it_points_at), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/catalog/checkout").ToString());
            Assert.Contains("Dana Reyes", await page.Locator("main").InnerTextAsync());

            await page.Locator("main ul.deps").GetByRole(AriaRole.Link, new() { Name = "inventory" }).ClickAsync();

            await page.WaitForPageAsync("**/catalog/inventory");
            Assert.Equal("inventory", await page.Locator("h1 .name").InnerTextAsync());
            Assert.Contains("checkout", await page.Locator("main").InnerTextAsync());
        });

    [Fact]
    public Task Chromium_filters_the_catalog_by_tier_without_javascript_state() =>
        chromium.RunAsync(nameof(Chromium_filters_the_catalog_by_tier_without_javascript_state), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/catalog").ToString());

            await page.SelectOptionAsync("select[name=tier]", "2");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

            await page.WaitForPageAsync("**/catalog?*tier=2*");
            Assert.Equal(["inventory"], await page.Locator("table.catalog tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.service)"));
        });
}
