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

            await page.WaitForPageAsync("**/graph?q=*");
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

    [Fact]
    public Task Chromium_charts_two_queries_stacked_with_values_on_hover_all_kept_in_the_url() =>
        chromium.RunAsync(nameof(Chromium_charts_two_queries_stacked_with_values_on_hover_all_kept_in_the_url), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/graph").ToString());

            await page.FillAsync("#q-0", "http_requests_total{instance=\"api-1\"}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add query" }).ClickAsync();
            await page.WaitForPageAsync("**/graph?*add=1*");
            Assert.Equal("http_requests_total{instance=\"api-1\"}", await page.InputValueAsync("#q-0"));
            await page.FillAsync("#q-1", "http_requests_total{instance=\"api-2\"}");
            await page.SelectOptionAsync("select[name=mode]", "stacked");
            await page.SelectOptionAsync("select[name=range]", "15m");
            await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
            await page.WaitForPageAsync("**/graph?*mode=stacked*");

            var url = new Uri(page.Url).Query;
            Assert.Equal(2, url.Split('&').Count(p => p.TrimStart('?').StartsWith("q=", StringComparison.Ordinal)));
            Assert.Contains("range=15m", url, StringComparison.Ordinal);
            var legend = await page.Locator("figure.chart .legend li").AllInnerTextsAsync();
            Assert.Equal(["A: http_requests_total{instance=\"api-1\"}", "B: http_requests_total{instance=\"api-2\"}"], legend.Select(l => l.Trim()));
            // Stacked: two bands, and the axis reaches A + B at the end (7,200 + 3,600 = 10,800), past either alone.
            Assert.Equal(2, await page.Locator("figure.chart svg polygon.band").CountAsync());
            Assert.Contains("10k", await page.Locator("figure.chart svg text.axis").AllTextContentsAsync());

            // Hovering the last step shows each query's own value there, not the stacked sum.
            var svg = page.Locator("figure.chart svg");
            var box = (await svg.BoundingBoxAsync())!;
            await svg.HoverAsync(new() { Position = new() { X = box.Width * 887 / 900, Y = box.Height / 2 } });
            var tip = page.Locator(".chart-tip");
            await tip.WaitForAsync(new() { State = WaitForSelectorState.Visible });
            var lines = await tip.Locator("li").AllInnerTextsAsync();
            Assert.Equal(2, lines.Count);
            Assert.Matches(@"A: .*api-1.*7200$", lines[0].ReplaceLineEndings(" ").Trim());
            Assert.Matches(@"B: .*api-2.*3600$", lines[1].ReplaceLineEndings(" ").Trim());
            Assert.Contains(server.Clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), await tip.Locator(".chart-tip-time").InnerTextAsync());

            // The link alone brings the same chart back; removing B keeps A and the settings.
            await page.ReloadAsync();
            Assert.Equal("http_requests_total{instance=\"api-2\"}", await page.InputValueAsync("#q-1"));
            Assert.Equal("stacked", await page.InputValueAsync("select[name=mode]"));
            await page.GetByRole(AriaRole.Link, new() { Name = "Remove query B" }).ClickAsync();
            await page.WaitForPageAsync(u => !u.Contains("api-2", StringComparison.Ordinal));
            Assert.Equal(1, await page.Locator("textarea[name=q]").CountAsync());
            Assert.Equal("15m", await page.InputValueAsync("select[name=range]"));
        });

    [Fact]
    public Task Chromium_opens_a_prometheus_graph_link_and_a_range_ending_in_the_past() =>
        chromium.RunAsync(nameof(Chromium_opens_a_prometheus_graph_link_and_a_range_ending_in_the_past), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            // An alert's generator URL, as Prometheus writes it, ending 30 minutes before now.
            var end = server.Clock.GetUtcNow().AddMinutes(-30);
            await page.GotoAsync(new Uri(server.BaseAddress, "/graph?g0.expr=" + Uri.EscapeDataString("http_requests_total{instance=\"api-1\"}") + "&g0.tab=1&range=15m&end=" + end.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)).ToString());

            Assert.Equal("http_requests_total{instance=\"api-1\"}", await page.InputValueAsync("textarea[name=q]"));
            Assert.Contains($"to {end:yyyy-MM-dd HH:mm:ss} UTC", await page.Locator("p.graph-summary").InnerTextAsync(), StringComparison.Ordinal);
            // Half an hour before now the counter stood at 120 increments of 30.
            Assert.EndsWith("3600", (await page.Locator("table.results tbody tr").InnerTextAsync()).Trim(), StringComparison.Ordinal);

            await page.GotoAsync(new Uri(server.BaseAddress, "/graph?q=up&end=yesterday").ToString());
            Assert.Contains("end: \"yesterday\" is not a time", await page.Locator("#end-error").InnerTextAsync(), StringComparison.Ordinal);
        });
}
