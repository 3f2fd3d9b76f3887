using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// Issue 15, items 2 and 9 in the console: the SLO page shows the budget a 600 s outage spent on a new
/// install and the unknown time; the monitors list shows a heartbeat's last ping.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class SloBudgetPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;
    private DateTimeOffset lastPing;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: "services:\n  - name: warehouse\n");
        var created = await server.Http.PostAsJsonAsync("/api/monitors", new { name = "nightly-export", type = "heartbeat", service = "warehouse", period = "1h" });
        created.EnsureSuccessStatusCode();
        var ping = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ping_url").GetString()!;
        (await server.Http.PostAsJsonAsync("/api/slos", new { name = "export-availability", service = "warehouse", target = "99.95", window = "30d", monitor = "nightly-export" })).EnsureSuccessStatusCode();

        await server.Http.GetStringAsync(ping);
        server.Clock.Advance(TimeSpan.FromHours(1));
        (await server.Http.PostAsync(ping + "/fail", null)).EnsureSuccessStatusCode();
        server.Clock.Advance(TimeSpan.FromSeconds(600));
        await server.Http.GetStringAsync(ping);
        server.Clock.Advance(TimeSpan.FromMinutes(20));
        lastPing = server.Clock.GetUtcNow();
        await server.Http.GetStringAsync(ping);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_sees_a_600_second_outage_as_46_3_percent_of_the_budget_with_the_unknown_time_and_the_last_ping() =>
        chromium.RunAsync(nameof(Chromium_sees_a_600_second_outage_as_46_3_percent_of_the_budget_with_the_unknown_time_and_the_last_ping), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/slos/export-availability").ToString());

            Assert.Equal("46.296 % (10 minutes of 21.6 minutes)", await page.Locator("[data-budget-spent]").InnerTextAsync());
            Assert.StartsWith("29.9 days of the window with no known state", await page.Locator("[data-unknown]").InnerTextAsync(), StringComparison.Ordinal);

            await page.GotoAsync(new Uri(server.BaseAddress, "/monitors").ToString());
            Assert.Equal(lastPing.ToString("u", CultureInfo.InvariantCulture), await page.Locator("tr[data-monitor=nightly-export] [data-last-ping]").InnerTextAsync());
        });
}
