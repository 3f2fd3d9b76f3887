using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vigil.Metrics;
using Vigil.Metrics.Storage;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class MetricsPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync();
        // An hour of a request counter for two instances, ending at the server's (fake) now.
        var now = server.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var appender = server.Services.GetRequiredService<ISampleStore>().Appender();
        for (var i = 0; i <= 240; i++)
        {
            var t = now - ((240 - i) * 15_000L);
            appender.Append(Labels.Of("__name__", "http_requests_total", "instance", "api-1"), t, i * 30);
            appender.Append(Labels.Of("__name__", "http_requests_total", "instance", "api-2"), t, i * 15);
        }
        await appender.CommitAsync();
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_runs_a_query_and_sees_a_chart_and_a_table() =>
        chromium.RunAsync(nameof(Chromium_runs_a_query_and_sees_a_chart_and_a_table), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/graph").ToString());

            await page.FillAsync("textarea[name=q]", "rate(http_requests_total[5m])");
            await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();

            await page.WaitForURLAsync("**/graph?q=*");
            Assert.Equal(2, await page.Locator("figure.chart svg polyline").CountAsync());
            var rows = await page.Locator("table.results tbody tr").AllInnerTextsAsync();
            Assert.Equal(2, rows.Count);
            Assert.Contains(rows, r => r.Contains("api-1", StringComparison.Ordinal) && r.EndsWith('2'));
            Assert.Contains(rows, r => r.Contains("api-2", StringComparison.Ordinal) && r.EndsWith('1'));
        });

    [Fact]
    public Task Chromium_shows_a_query_that_does_not_parse_with_its_position() =>
        chromium.RunAsync(nameof(Chromium_shows_a_query_that_does_not_parse_with_its_position), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/graph?q=" + Uri.EscapeDataString("rate(up[5m]")).ToString());

            Assert.Equal("1:12: parse error: unclosed left parenthesis", await page.Locator("[role=alert]").InnerTextAsync());
        });
}
