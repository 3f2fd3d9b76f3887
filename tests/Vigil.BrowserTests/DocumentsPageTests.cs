using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>Issue 22 item 4 in the console: a document added with the form is listed with the reminder it is at.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class DocumentsPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: """
        services: [{name: payments}]
        documents:
          - {name: example-com, kind: domain, owner: it, expires_at: "2099-01-01"}
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_adds_a_certificate_expiring_in_20_days_and_sees_it_at_the_30_day_reminder() =>
        chromium.RunAsync(nameof(Chromium_adds_a_certificate_expiring_in_20_days_and_sees_it_at_the_30_day_reminder), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
            await page.Locator("nav.sidebar a[href='/documents']").ClickAsync();
            await page.WaitForPageAsync("**/documents");
            Assert.Equal("ok", await page.Locator("tr[data-document=example-com] [data-reminder]").InnerTextAsync());

            var expires = server.Clock.GetUtcNow().AddDays(20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            await page.Locator("input[name='Form.Name']").FillAsync("pci-dss");
            await page.Locator("select[name='Form.Kind']").SelectOptionAsync("certificate");
            await page.Locator("input[name='Form.Owner']").FillAsync("security");
            await page.Locator("input[name='Form.Service']").FillAsync("payments");
            await page.Locator("input[name='Form.ExpiresAt']").FillAsync(expires);
            await page.Locator("form button[type=submit]", new() { HasText = "Save" }).ClickAsync();

            await page.Locator("[data-message]").WaitForAsync();
            Assert.Equal("Saved pci-dss.", await page.Locator("[data-message]").InnerTextAsync());
            var row = page.Locator("tr[data-document=pci-dss]");
            Assert.Equal(expires, await row.Locator("[data-expires]").InnerTextAsync());
            Assert.Equal("30d", await row.Locator("[data-reminder]").GetAttributeAsync("data-reminder"));
            Assert.Equal("within 30d (warning)", await row.Locator("[data-reminder]").InnerTextAsync());

            await page.Locator("input[name='Form.Name']").FillAsync("bad");
            await page.Locator("input[name='Form.ExpiresAt']").FillAsync(expires);
            await page.Locator("input[name='Form.Service']").FillAsync("nowhere");
            await page.Locator("form button[type=submit]", new() { HasText = "Save" }).ClickAsync();
            // The API's reason beside the field, the form keeping what was typed.
            Assert.Contains("unknown service", await page.Locator("[data-error=service]").InnerTextAsync());
            Assert.Equal("nowhere", await page.Locator("input[name='Form.Service']").InputValueAsync());
            Assert.Equal(0, await page.Locator("tr[data-document=bad]").CountAsync());
        });
}
