using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>The console's System page: this replica's readiness, its configuration against the replicas', and a reload.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class SystemPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;
    private NotificationReceiver store = null!;

    public async Task InitializeAsync()
    {
        store = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(configYaml: $"""
            services:
              - name: web
            metrics:
              remote_write:
                - url: {store.Url}/api/v1/write
                  name: vm
            outbound:
              deny: [10.0.0.0/8]
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await store.DisposeAsync();
    }

    [Fact]
    public Task An_admin_sees_the_replica_ready_and_in_sync_and_reloads_the_configuration_from_the_console() =>
        chromium.RunAsync(nameof(An_admin_sees_the_replica_ready_and_in_sync_and_reloads_the_configuration_from_the_console), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GetByRole(AriaRole.Link, new() { Name = "System" }).ClickAsync();
            await page.WaitForPageAsync(url => url.EndsWith("/system", StringComparison.Ordinal));

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

    [Fact]
    public Task The_system_page_shows_the_replicas_the_leases_metrics_forwarding_and_the_outbound_policy() =>
        chromium.RunAsync(nameof(The_system_page_shows_the_replicas_the_leases_metrics_forwarding_and_the_outbound_policy), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/system").ToString());

            var replicas = page.Locator("[data-section=replicas] tbody tr");
            Assert.Equal(1, await replicas.CountAsync());
            Assert.Contains("(this replica)", await replicas.InnerTextAsync());
            Assert.Equal("alive", await replicas.Locator(".badge").InnerTextAsync());

            var dispatch = page.Locator("[data-section=leases] tbody tr", new() { HasText = "dispatch" }).First;
            Assert.Contains("held while this process runs", await dispatch.InnerTextAsync());
            Assert.Equal("held", await dispatch.Locator(".badge").InnerTextAsync());

            var queue = page.Locator("[data-section=forwarding] tbody tr");
            Assert.Contains("vm", await queue.InnerTextAsync());
            Assert.Contains($"{store.Url}/api/v1/write", await queue.InnerTextAsync());

            var outbound = await page.Locator("[data-section=outbound]").InnerTextAsync();
            Assert.Contains("169.254.0.0/16", outbound);
            Assert.Contains("10.0.0.0/8", outbound);
            Assert.Contains("outbound.deny", outbound);
        });

    [Fact]
    public Task Damage_in_the_metrics_log_shows_on_the_system_page_until_an_admin_acknowledges_it() =>
        chromium.RunAsync(nameof(Damage_in_the_metrics_log_shows_on_the_system_page_until_an_admin_acknowledges_it), output, async page =>
        {
            // Two starts leave two segments; garbage written into the older one while stopped is disk damage.
            server = await server.RestartAsync(TimeSpan.Zero);
            server = await server.RestartAsync(TimeSpan.Zero, whileStopped: () =>
                File.AppendAllText(Path.Combine(server.DataDirectory, "metrics", "wal", "00000001"), "not a frame, just rot on the disk"));

            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/system").ToString());

            var damage = page.Locator("[data-section=wal-damage]");
            Assert.Contains("00000001 from byte", await damage.Locator("tbody tr").InnerTextAsync());
            Assert.Equal("damaged", await damage.Locator(".badge").InnerTextAsync());

            await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge the metrics store damage" }).ClickAsync();

            Assert.Contains("Acknowledged 1", await page.GetByRole(AriaRole.Status).InnerTextAsync());
            Assert.Contains("every block read whole", await page.Locator("[data-section=wal-damage]").InnerTextAsync());
            Assert.Contains(await server.AuditAsync(), e => e.Action == "acknowledge" && e.Username == TestServer.AdminUsername);
        });
}
