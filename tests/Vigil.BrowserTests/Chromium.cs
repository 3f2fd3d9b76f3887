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
    /// </summary>
    public async Task RunAsync(string name, ITestOutputHelper output, Func<IPage, Task> scenario)
    {
        await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Vigil.Tests.Support.Patience.Of(TimeSpan.FromSeconds(15)).TotalMilliseconds);
        try
        {
            await scenario(page);
        }
        catch (Exception failure)
        {
            var directory = Environment.GetEnvironmentVariable("VIGIL_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, $"{name}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            output.WriteLine($"Screenshot of the failure: {file}");
            throw new Xunit.Sdk.XunitException($"{failure.Message}\nScreenshot: {file}\nPage: {page.Url}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<Chromium>
{
    public const string Name = "Chromium";
}
