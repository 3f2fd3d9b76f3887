using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>The console's System page: this replica's readiness, its configuration against the replicas', and a reload.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class SystemPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: """
        services:
          - name: web
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task An_admin_sees_the_replica_ready_and_in_sync_and_reloads_the_configuration_from_the_console() =>
        chromium.RunAsync(nameof(An_admin_sees_the_replica_ready_and_in_sync_and_reloads_the_configuration_from_the_console), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GetByRole(AriaRole.Link, new() { Name = "System" }).ClickAsync();
            await page.WaitForURLAsync(url => url.EndsWith("/system", StringComparison.Ordinal));

            Assert.Equal("ready", await page.Locator("[data-readiness] .badge").InnerTextAsync());
            Assert.Equal("in sync", await page.Locator("[data-in-sync] .badge").InnerTextAsync());

            await server.WriteConfigAsync("""
                services:
                  - name: web
                  - name: api
                """);
            await page.GetByRole(AriaRole.Button, new() { Name = "Reload the configuration on every replica" }).ClickAsync();

            Assert.Contains("Reloaded", await page.GetByRole(AriaRole.Status).InnerTextAsync());
            Assert.Equal("in sync", await page.Locator("[data-in-sync] .badge").InnerTextAsync());
            Assert.Contains("version 2", await page.Locator("table.config-sync").InnerTextAsync());
            Assert.Contains(await server.AuditAsync(), e => e.Action == "reload" && e.Username == TestServer.AdminUsername);
        });
}
