using Microsoft.Playwright;
using Vigil.Tests.Support;

namespace Vigil.BrowserTests;

/// <summary>Signing in to the console the way a person does: the sign-in form.</summary>
public static class ConsoleSession
{
    public static async Task SignInAsync(IPage page, TestServer server, string username = TestServer.AdminUsername, string password = TestServer.AdminPassword)
    {
        await page.GotoAsync(new Uri(server.BaseAddress, "/signin").ToString());
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForPageAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
    }
}
