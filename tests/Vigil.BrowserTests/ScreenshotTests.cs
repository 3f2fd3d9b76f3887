using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// Full-page pictures of each main page, with data in them, kept as CI artifacts under
/// <c>$VIGIL_SCREENSHOTS/pages/</c> (<c>1280-home.png</c>, <c>390-incident.png</c>, ...). Each page
/// must also answer 200 and render its heading, so a picture of an error page fails the test.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class ScreenshotTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private ConsoleScenario scenario = null!;

    public async Task InitializeAsync() => scenario = await ConsoleScenario.StartAsync();

    public async Task DisposeAsync() => await scenario.DisposeAsync();

    /// <summary>The navigation's pages, by the name their picture gets.</summary>
    private IEnumerable<(string Name, string Path)> Desktop =>
    [
        ("home", "/"), ("alerts", "/alerts"), ("incidents", "/incidents"), ("incident", $"/incidents/{scenario.Incident}"),
        ("oncall", "/oncall"), ("oncall-pages", "/oncall/pages"), ("services", "/catalog"), ("service", "/catalog/checkout"),
        ("monitors", "/monitors"), ("monitor", "/monitors/checkout-http"), ("slos", "/slos"), ("deployments", "/deployments"),
        ("runbooks", "/runbooks"), ("tasks", "/tasks"), ("backups", "/backups"),
        ("rules", "/rules"), ("silences", "/alerts/silences"), ("notifications", "/notifications"), ("status-pages", "/status-pages"),
        ("maintenance", "/maintenance"),
        ("dashboards", "/dashboards"), ("metrics", "/graph"), ("capacity", "/capacity"), ("cost", "/cost"), ("documents", "/documents"),
        ("users", "/access/users"), ("audit", "/audit"), ("system", "/system"), ("tokens", "/account/tokens"),
    ];

    private IEnumerable<(string Name, string Path)> Phone =>
        [("home", "/"), ("alerts", "/alerts"), ("incidents", "/incidents"), ("incident", $"/incidents/{scenario.Incident}")];

    [Fact]
    public Task Each_main_page_answers_renders_its_heading_and_is_pictured_at_1280_px() =>
        chromium.RunAsync(nameof(Each_main_page_answers_renders_its_heading_and_is_pictured_at_1280_px), output, page => PictureAsync(page, 1280, Desktop));

    [Fact]
    public Task The_on_call_pages_are_pictured_at_390_px() =>
        chromium.RunAsync(nameof(The_on_call_pages_are_pictured_at_390_px), output, page => PictureAsync(page, 390, Phone), Chromium.Phone);

    private async Task PictureAsync(IPage page, int width, IEnumerable<(string Name, string Path)> pages)
    {
        var directory = Path.Combine(Chromium.ScreenshotDirectory, "pages");
        Directory.CreateDirectory(directory);
        await ConsoleSession.SignInAsync(page, scenario.Server);
        foreach (var (name, path) in pages)
        {
            var response = await page.GotoAsync(scenario.Url(path));
            Assert.True(response!.Status == 200, $"{path} answered {response.Status}");
            var heading = (await page.Locator("main h1").First.InnerTextAsync()).Trim();
            Assert.False(string.IsNullOrEmpty(heading), $"{path} has no h1");
            var file = Path.Combine(directory, $"{width}-{name}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            output.WriteLine($"{path} \"{heading}\" → {file}");
        }
    }
}
