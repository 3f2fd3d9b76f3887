using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class SignInPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_signs_in_sees_its_own_sign_in_in_the_audit_log_and_signs_out() =>
        chromium.RunAsync(nameof(Chromium_signs_in_sees_its_own_sign_in_in_the_audit_log_and_signs_out), output, async page =>
        {
            await page.GotoAsync(new Uri(server.BaseAddress, "/audit").ToString());
            Assert.Contains("/signin?return=", page.Url);

            await page.GetByLabel("Username").FillAsync(TestServer.AdminUsername);
            await page.GetByLabel("Password").FillAsync(TestServer.AdminPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

            await page.WaitForURLAsync("**/audit");
            Assert.Equal("Audit log · Vigil", await page.TitleAsync());
            Assert.Equal(TestServer.AdminUsername, await page.Locator(".whoami").InnerTextAsync());
            var signIn = page.Locator("table.audit tbody tr[data-action=sign_in]").First;
            Assert.Contains(TestServer.AdminUsername, await signIn.InnerTextAsync());
            Assert.Contains("127.0.0.1", await signIn.InnerTextAsync());

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            await page.WaitForURLAsync("**/signin");
            await page.GotoAsync(new Uri(server.BaseAddress, "/audit").ToString());
            Assert.Contains("/signin?return=", page.Url);
            var entries = await server.AuditAsync();
            Assert.Equal("sign_out", entries.Last().Action);
        });
}
