using System.Net.Http.Json;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// Issue 20 in the console: the backups list and a policy's report page show RPO now, the last
/// good backup per kind, the retention table, and a 70-minute restore drill against a 1-hour RTO
/// as a breach.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class BackupPagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: """
            services: [{name: orders}]
            backup_policies:
              - name: orders-db
                service: orders
                tier: critical
                drill_schedule: quarterly
                kinds:
                  - {kind: full, schedule: "0 2 * * *"}
                  - {kind: wal, every: 5m}
                retention: {daily: 3}
            """);
        foreach (var kind in new[] { "full", "wal" })
        {
            (await server.Http.PostAsJsonAsync("/api/backups/reports", new { policy = "orders-db", kind, size_bytes = 4096 })).EnsureSuccessStatusCode();
        }
        server.Clock.Advance(TimeSpan.FromMinutes(3));
        (await server.Http.PostAsJsonAsync("/api/backups/policies/orders-db/drills", new { duration = "70m" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_sees_a_70_minute_drill_against_a_1_hour_rto_as_a_breach_on_the_list_and_the_report_page() =>
        chromium.RunAsync(nameof(Chromium_sees_a_70_minute_drill_against_a_1_hour_rto_as_a_breach_on_the_list_and_the_report_page), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
            await page.Locator("nav.sidebar a[href='/backups']").ClickAsync();
            await page.WaitForPageAsync("**/backups");

            var row = page.Locator("tr[data-policy=orders-db]");
            Assert.Equal("3m / 15m", await row.Locator("[data-rpo]").InnerTextAsync());
            Assert.Equal("1h10m / 1h RTO breach", (await row.Locator("[data-drill]").InnerTextAsync()).Trim());
            Assert.Equal("critical", await row.Locator("[data-state]").GetAttributeAsync("data-state"));

            await row.Locator("a[href='/backups/orders-db']").ClickAsync();
            await page.WaitForPageAsync("**/backups/orders-db");
            Assert.StartsWith("3m (target 15m)", await page.Locator("[data-rpo-now]").InnerTextAsync(), StringComparison.Ordinal);
            var drill = page.Locator("[data-last-drill]");
            Assert.Contains("took 1h10m against an RTO of 1h", await drill.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal("RTO breach", (await drill.Locator(".breach").InnerTextAsync()).Trim());
            Assert.Contains("longer than the RTO of 1h", await page.Locator("[data-finding=BackupRtoBreach]").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(2, await page.Locator("tr[data-kind]").CountAsync());
            Assert.Equal("0 / 3", await page.Locator("tr[data-tier=daily] td").Nth(1).InnerTextAsync());
            Assert.Equal(3, await page.Locator("tr[data-report]").CountAsync());
        });
}
