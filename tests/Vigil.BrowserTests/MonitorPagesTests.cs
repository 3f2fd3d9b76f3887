using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class MonitorPagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
        monitors:
          - name: checkout-port
            type: tcp
            service: checkout
            host: 127.0.0.1
            port: 1
        """;

    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: Config);
        for (var i = 0; i < 3; i++)
        {
            (await server.Http.PostAsync("/api/monitors/checkout-port/check", null)).EnsureSuccessStatusCode();
            server.Clock.Advance(TimeSpan.FromSeconds(60));
        }
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_goes_from_the_monitors_list_to_a_monitor_with_its_status_uptime_and_latency_chart() =>
        chromium.RunAsync(nameof(Chromium_goes_from_the_monitors_list_to_a_monitor_with_its_status_uptime_and_latency_chart), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/catalog").ToString());
            await page.GetByRole(AriaRole.Link, new() { Name = "Monitors" }).ClickAsync();
            await page.WaitForPageAsync("**/monitors");
            Assert.Contains("down", await page.Locator("tr[data-monitor=checkout-port]").InnerTextAsync());

            await page.GetByRole(AriaRole.Link, new() { Name = "checkout-port" }).ClickAsync();

            await page.WaitForPageAsync("**/monitors/checkout-port");
            Assert.Equal("checkout-port", await page.Locator("h1 .name").InnerTextAsync());
            Assert.Contains("connection refused", await page.Locator("main").InnerTextAsync());
            Assert.Equal(1, await page.Locator("svg.latency").CountAsync());
            Assert.Equal(90, await page.Locator(".bars .bar").CountAsync());
        });
}
