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

            await page.WaitForPageAsync("**/audit");
            Assert.Equal("Audit log · Vigil", await page.TitleAsync());
            Assert.Equal(TestServer.AdminUsername, await page.Locator(".whoami").InnerTextAsync());
            var signIn = page.Locator("table.audit tbody tr[data-action=sign_in]").First;
            Assert.Contains(TestServer.AdminUsername, await signIn.InnerTextAsync());
            Assert.Contains("127.0.0.1", await signIn.InnerTextAsync());

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            await page.WaitForPageAsync("**/signin");
            await page.GotoAsync(new Uri(server.BaseAddress, "/audit").ToString());
            Assert.Contains("/signin?return=", page.Url);
            var entries = await server.AuditAsync();
            Assert.Equal("sign_out", entries.Last().Action);
        });

    [Fact]
    public Task Chromium_creates_an_api_token_sees_it_once_and_revokes_it() =>
        chromium.RunAsync(nameof(Chromium_creates_an_api_token_sees_it_once_and_revokes_it), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
            await page.WaitForPageAsync("**/account/tokens");

            await page.GetByLabel("Name").FillAsync("grafana");
            await page.GetByLabel("Role").SelectOptionAsync("viewer");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();

            var secret = await page.Locator("[data-token]").InnerTextAsync();
            Assert.StartsWith("vgl_", secret);
            using (var client = server.WithToken(secret))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/services")).StatusCode);
            }
            await page.GotoAsync(new Uri(server.BaseAddress, "/account/tokens").ToString());
            Assert.Equal(0, await page.Locator("[data-token]").CountAsync());
            Assert.DoesNotContain(secret, await page.ContentAsync());

            await page.Locator("tr[data-token-name=grafana]").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();

            Assert.Contains("revoked", await page.Locator("tr[data-token-name=grafana]").InnerTextAsync());
            using var revoked = server.WithToken(secret);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/services")).StatusCode);
        });
}
