using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class OverviewPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private ConsoleScenario scenario = null!;

    public async Task InitializeAsync() => scenario = await ConsoleScenario.StartAsync();

    public async Task DisposeAsync() => await scenario.DisposeAsync();

    [Fact]
    public Task The_home_shows_what_is_wrong_and_a_new_alert_appears_without_a_reload() =>
        chromium.RunAsync(nameof(The_home_shows_what_is_wrong_and_a_new_alert_appears_without_a_reload), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, scenario.Server);
            await page.GotoAsync(scenario.Url("/"));
            Assert.Equal("Overview", await page.Locator("h1").InnerTextAsync());
            // The scenario's warning, and the MonitorDown its failing monitor raised.
            var latency = page.Locator("[data-section=alerts] li", new() { HasText = "CheckoutLatencyHigh" });
            Assert.Contains("for 2 min", await latency.InnerTextAsync());
            Assert.Equal("warning", await latency.GetAttributeAsync("data-severity"));
            Assert.Contains("Checkout returns 500", await page.Locator($"[data-incident='{scenario.Incident}']").InnerTextAsync());
            Assert.Equal("test-admin", await page.Locator("[data-schedule=primary] [data-user]").InnerTextAsync());
            Assert.Contains("v1.4.2", await page.Locator("[data-section=deployments]").InnerTextAsync());

            // The page keeps a mark that a reload would wipe; the new alert must arrive without one.
            await page.EvaluateAsync("() => { window.vigilNotReloaded = true; }");
            await scenario.SendAlertAsync("CheckoutDown", "critical");
            var down = page.Locator("[data-section=alerts] li", new() { HasText = "CheckoutDown" });
            await down.WaitForAsync();
            Assert.True(await page.EvaluateAsync<bool>("() => window.vigilNotReloaded === true"));
            // Most severe first.
            var severities = await page.Locator("[data-section=alerts] li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.severity)");
            Assert.Equal("warning", severities[^1]);
            Assert.All(severities[..^1], s => Assert.Equal("critical", s));

            await down.Locator("a").ClickAsync();
            await page.WaitForPageAsync("**/alerts/*");
        });
}
