using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vigil.Metrics;
using Vigil.Metrics.Storage;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>Issue 23 item 4 in the console: a Grafana dashboard imported through the page renders its panels with data.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class DashboardPagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private static string Fixture => Path.Combine(RepositoryPaths.Root, "tests", "Vigil.Tests", "Dashboards", "grafana-dashboard.json");

    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync();
        // Half an hour of a request counter for two checkout instances, ending at the server's (fake) now.
        var now = server.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var appender = server.Services.GetRequiredService<ISampleStore>().Appender();
        for (var i = 0; i <= 120; i++)
        {
            var t = now - ((120 - i) * 15_000L);
            appender.Append(Labels.Of("__name__", "http_requests_total", "job", "checkout", "instance", "api-1"), t, i * 30);
            appender.Append(Labels.Of("__name__", "http_requests_total", "job", "checkout", "instance", "api-2"), t, i * 15);
        }
        await appender.CommitAsync();
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_imports_a_grafana_dashboard_file_and_sees_its_time_series_and_stat_panels_with_data() =>
        chromium.RunAsync(nameof(Chromium_imports_a_grafana_dashboard_file_and_sees_its_time_series_and_stat_panels_with_data), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
            await page.Locator("nav.sidebar a[href='/dashboards']").ClickAsync();
            await page.WaitForPageAsync("**/dashboards");
            Assert.Equal(1, await page.Locator("table.dashboards a", new() { HasText = "System Health" }).CountAsync());

            await page.Locator("input[name=GrafanaFile]").SetInputFilesAsync(Fixture);
            await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
            await page.Locator("[data-imported]").WaitForAsync();
            Assert.Equal("Imported Checkout service: 3 panels, 3 skipped.", await page.Locator("[data-message] p").First.InnerTextAsync());
            Assert.Contains("Notes: panel type \"text\" is not supported (timeseries, graph, stat, singlestat, gauge, table are)", await page.Locator("[data-skipped]").AllInnerTextsAsync());

            await page.Locator("[data-imported]").ClickAsync();
            await page.WaitForPageAsync("**/dashboards/*");
            var timeseries = page.Locator("section.dash-panel[data-kind=timeseries]");
            Assert.Equal("Request rate", await timeseries.Locator("h2 span").InnerTextAsync());
            Assert.Equal(2, await timeseries.Locator("svg polyline").CountAsync());
            Assert.Equal(["api-1", "api-2"], await timeseries.Locator(".legend li").AllInnerTextsAsync());

            // The stat panel shows the instance chosen in the variable's select (Grafana's saved current value, api-2).
            var stat = page.Locator("section.dash-panel[data-kind=stat]");
            Assert.Equal("Requests on api-2", await stat.Locator("h2 span").InnerTextAsync());
            Assert.Equal("api-2", await page.Locator("select[data-variable=instance]").InputValueAsync());
            Assert.Equal("1800", await stat.Locator("[data-value]").GetAttributeAsync("data-value"));
            Assert.Equal("1.8k", await stat.Locator("[data-value]").InnerTextAsync());

            await page.Locator("select[data-variable=instance]").SelectOptionAsync("api-1");
            await page.Locator("select[name=from]").SelectOptionAsync("now-1h");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await page.WaitForPageAsync("**var-instance=api-1*");
            Assert.Contains("from=now-1h", page.Url, StringComparison.Ordinal);
            Assert.Equal("3600", await page.Locator("section.dash-panel[data-kind=stat] [data-value]").GetAttributeAsync("data-value"));
            Assert.True(await timeseries.Locator(".legend").IsVisibleAsync());
        });

    [Fact]
    public Task Chromium_edits_a_panel_and_a_query_that_does_not_parse_is_refused_with_its_field() =>
        chromium.RunAsync(nameof(Chromium_edits_a_panel_and_a_query_that_does_not_parse_is_refused_with_its_field), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/dashboards").ToString());
            await page.Locator("input[name='Create.Title']").FillAsync("Checkout by hand");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            await page.WaitForPageAsync("**edit=new*");

            await page.Locator("input[name='Edit.Title']").FillAsync("Broken");
            await page.Locator("textarea[name='Edit.Queries']").FillAsync("sum(rate(http_requests_total[5m])");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save panel" }).ClickAsync();
            await page.Locator("[data-message]").WaitForAsync();
            Assert.StartsWith("panels[0].targets[0].expr: ", await page.Locator("[data-message]").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("section.dash-panel").CountAsync());

            await page.Locator("input[name='Edit.Title']").FillAsync("Total requests");
            await page.Locator("select[name='Edit.Kind']").SelectOptionAsync("stat");
            await page.Locator("textarea[name='Edit.Queries']").FillAsync("sum(http_requests_total)");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save panel" }).ClickAsync();
            await page.Locator("section.dash-panel[data-kind=stat]").WaitForAsync();
            Assert.Equal("Total requests", await page.Locator("section.dash-panel h2 span").InnerTextAsync());
            Assert.Equal("5400", await page.Locator("section.dash-panel [data-value]").GetAttributeAsync("data-value"));
        });
}
