using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>axe-core finds no serious or critical violation on the pages an on-call person lives in.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class AccessibilityTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private ConsoleScenario scenario = null!;

    public async Task InitializeAsync() => scenario = await ConsoleScenario.StartAsync();

    public async Task DisposeAsync() => await scenario.DisposeAsync();

    [Fact]
    public Task Axe_finds_no_serious_or_critical_violation_on_the_home_monitors_alerts_incident_and_on_call_pages() =>
        chromium.RunAsync(nameof(Axe_finds_no_serious_or_critical_violation_on_the_home_monitors_alerts_incident_and_on_call_pages), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, scenario.Server);
            var found = new List<string>();
            foreach (var path in new[] { "/", "/monitors", "/alerts", $"/incidents/{scenario.Incident}", "/oncall", "/maintenance", "/maintenance/new" })
            {
                var response = await page.GotoAsync(scenario.Url(path));
                Assert.Equal(200, response!.Status);
                // The skip link stays on this page (a bare "#content" would follow <base href="/"> home).
                await page.Keyboard.PressAsync("Tab");
                await page.Keyboard.PressAsync("Enter");
                await page.WaitForPageAsync(scenario.Url(path) + "#content");
                var violations = await Axe.SeriousViolationsAsync(page);
                output.WriteLine($"{path}: {violations.Count} serious or critical");
                if (violations.Count > 0)
                {
                    found.Add($"{path}:\n{Axe.Describe(violations)}");
                }
            }
            // The check itself can fail: an input without a label is a critical violation to axe.
            await page.EvaluateAsync("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text name=unlabelled>')");
            Assert.Contains(await Axe.SeriousViolationsAsync(page), v => v.Id == "label" && v.Impact == "critical");

            Assert.True(found.Count == 0, "axe-core found serious or critical violations:\n" + string.Join("\n", found));
        }, Axe.Context(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } }));
}
