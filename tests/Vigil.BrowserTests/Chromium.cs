using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// One headless Chromium for the test run: Debian's <c>/usr/bin/chromium</c> (or
/// <c>VIGIL_CHROMIUM</c>), started with the flags that keep it off the network, since this
/// machine has none beyond loopback.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("VIGIL_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium not found at {executable}. Run scripts/test.sh, which installs Debian's chromium package.");
        }
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        });
    }

    /// <summary>Where screenshots go: <c>VIGIL_SCREENSHOTS</c> (scripts/test.sh sets artifacts/screenshots), else TestResults/screenshots.</summary>
    public static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable("VIGIL_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    /// <summary>A phone-sized page (390 × 844, touch), as an on-call person holds it.</summary>
    public static BrowserNewContextOptions Phone => new()
    {
        ViewportSize = new ViewportSize { Width = 390, Height = 844 },
        IsMobile = true,
        HasTouch = true,
        DeviceScaleFactor = 2,
    };

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        playwright?.Dispose();
    }

    /// <summary>
    /// Runs a scenario in a fresh page; when it fails, a full-page screenshot is kept under
    /// <c>TestResults/screenshots/</c> (or <c>VIGIL_SCREENSHOTS</c>) and named in the failure.
    /// The page is 1280 × 800 unless <paramref name="options"/> say otherwise (a phone, say).
    /// </summary>
    public async Task RunAsync(string name, ITestOutputHelper output, Func<IPage, Task> scenario, BrowserNewContextOptions? options = null)
    {
        await using var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Vigil.Tests.Support.Patience.Of(TimeSpan.FromSeconds(15)).TotalMilliseconds);
        try
        {
            await scenario(page);
        }
        catch (Exception failure)
        {
            var directory = ScreenshotDirectory;
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, $"{name}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            output.WriteLine($"Screenshot of the failure: {file}");
            // The scenario's own stack names the step that failed (the rethrow here would not).
            throw new Xunit.Sdk.XunitException($"{failure.Message}\nScreenshot: {file}\nPage: {page.Url}\nAt: {failure.StackTrace}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<Chromium>
{
    public const string Name = "Chromium";
}
