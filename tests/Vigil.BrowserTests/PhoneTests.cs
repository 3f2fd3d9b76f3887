using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>The on-call person at 3 AM with a phone (390 px): sees the alerts, opens the incident, acknowledges it.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class PhoneTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private ConsoleScenario scenario = null!;

    public async Task InitializeAsync() => scenario = await ConsoleScenario.StartAsync();

    public async Task DisposeAsync() => await scenario.DisposeAsync();

    private static Task<bool> ScrollsSidewaysAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");

    [Fact]
    public Task On_a_phone_the_on_call_person_sees_the_alerts_opens_the_incident_and_acknowledges_it() =>
        chromium.RunAsync(nameof(On_a_phone_the_on_call_person_sees_the_alerts_opens_the_incident_and_acknowledges_it), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, scenario.Server);
            await page.GotoAsync(scenario.Url("/"));
            Assert.False(await ScrollsSidewaysAsync(page), "the home scrolls sideways at 390 px");
            Assert.Contains("CheckoutLatencyHigh", await page.Locator("[data-section=alerts]").InnerTextAsync());

            // The navigation is folded behind its Menu button, and opens with a tap.
            var alertsLink = page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "Alerts", Exact = true });
            Assert.False(await alertsLink.IsVisibleAsync());
            var menu = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
            await menu.TapAsync();
            Assert.Equal("true", await menu.GetAttributeAsync("aria-expanded"));
            await alertsLink.TapAsync();
            await page.WaitForPageAsync("**/alerts");
            Assert.Contains("CheckoutLatencyHigh", await page.Locator("main").InnerTextAsync());
            Assert.False(await ScrollsSidewaysAsync(page), "the alerts page scrolls sideways at 390 px");

            await page.GotoAsync(scenario.Url("/"));
            await page.Locator($"[data-incident='{scenario.Incident}'] a").TapAsync();
            await page.WaitForPageAsync($"**/incidents/{scenario.Incident}");
            Assert.False(await ScrollsSidewaysAsync(page), "the incident page scrolls sideways at 390 px");
            var acknowledge = page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" });
            var box = await acknowledge.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Height >= 44 && box.Width >= 44, $"the Acknowledge button is {box.Width} × {box.Height} px; a tap target needs 44 × 44");
            await acknowledge.TapAsync();
            await page.Locator("[data-status=acknowledged]").WaitForAsync();
        }, Chromium.Phone);
}
