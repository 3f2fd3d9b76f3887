using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Dashboards;
using Vigil.Metrics;
using Vigil.Metrics.Storage;
using Vigil.Tests.Support;

namespace Vigil.Tests.Dashboards;

/// <summary>Grafana's variables in dashboard queries: the built-in intervals, template variables, legends and threshold colours.</summary>
public sealed class DashboardVariableTests
{
    [Theory]
    // Grafana: $__rate_interval = max($__interval + scrape interval, 4 * scrape interval).
    [InlineData(3_600_000, 14_000, 15, "1m", "14s", "3600s")]
    [InlineData(6 * 3_600_000, 86_000, 15, "1m41s", "1m26s", "21600s")]
    [InlineData(7 * 86_400_000L, 2_419_000, 60, "41m19s", "40m19s", "604800s")]
    public void Rate_interval_is_four_scrapes_or_one_step_plus_a_scrape_whichever_is_longer(long rangeMs, long stepMs, int scrapeSeconds, string rate, string interval, string range)
    {
        var values = DashboardVariables.BuiltInValues(rangeMs, stepMs, TimeSpan.FromSeconds(scrapeSeconds));

        Assert.Equal((rate, interval, range), (values["__rate_interval"], values["__interval"], values["__range"]));
    }

    [Fact]
    public void Every_grafana_variable_syntax_is_replaced_and_unknown_ones_are_named()
    {
        var values = new Dictionary<string, string> { ["job"] = "api", ["__rate_interval"] = "1m" };

        var (query, unknown) = DashboardVariables.Interpolate("rate(x{job=\"$job\",a=\"${job}\",b=\"${job:regex}\",c=\"[[job]]\",d=\"$host\"}[$__rate_interval])", values);

        Assert.Equal("rate(x{job=\"api\",a=\"api\",b=\"api\",c=\"api\",d=\"$host\"}[1m])", query);
        Assert.Equal(["host"], unknown);
    }

    [Theory]
    [InlineData("label_values(up{job=\"api\"}, instance)", "up{job=\"api\"}", "instance")]
    [InlineData("label_values(instance)", null, "instance")]
    [InlineData(" label_values( node_uname_info , nodename ) ", "node_uname_info", "nodename")]
    public void Label_values_queries_are_understood(string query, string? selector, string label) =>
        Assert.Equal((selector, label), DashboardVariables.ParseLabelValues(query));

    [Theory]
    [InlineData("query_result(up)")]
    [InlineData("label_names()")]
    [InlineData("metrics(up)")]
    public void Other_variable_queries_are_not(string query) => Assert.Null(DashboardVariables.ParseLabelValues(query));

    [Theory]
    [InlineData(-1, "green")]
    [InlineData(79.9, "green")]
    [InlineData(80, "orange")]
    [InlineData(95, "red")]
    public void A_value_takes_the_colour_of_the_highest_threshold_at_or_below_it(double value, string colour) =>
        Assert.Equal(colour, PanelFormat.Colour(value, [new() { Value = 95, Color = "semi-dark-red" }, new() { Color = "green" }, new() { Value = 80, Color = "orange" }]));

    [Fact]
    public async Task A_dashboard_resolves_its_label_values_variable_and_shows_each_panel_kind_over_stored_samples()
    {
        await using var server = await TestServer.StartAsync();
        var now = server.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var appender = server.Services.GetRequiredService<ISampleStore>().Appender();
        for (var i = 0; i <= 120; i++)
        {
            var t = now - ((120 - i) * 15_000L);
            appender.Append(Labels.Of("__name__", "http_requests_total", "job", "checkout", "instance", "api-1"), t, i * 30);
            appender.Append(Labels.Of("__name__", "http_requests_total", "job", "checkout", "instance", "api-2"), t, i * 15);
            appender.Append(Labels.Of("__name__", "http_requests_total", "job", "search", "instance", "search-1"), t, i);
        }
        await appender.CommitAsync();
        var dashboard = new DashboardDefinition
        {
            Title = "Checkout",
            Variables = [new() { Name = "instance", Kind = "query", Query = "label_values(http_requests_total{job=\"checkout\"}, instance)" }],
            Panels =
            [
                new() { Title = "Rate", Kind = "timeseries", Targets = [new() { Expr = "sum by (instance) (rate(http_requests_total{job=\"checkout\"}[$__rate_interval]))", LegendFormat = "{{instance}} rps" }] },
                new() { Title = "Total", Kind = "stat", Targets = [new() { Expr = "sum(http_requests_total{instance=\"$instance\"})" }] },
                new() { Title = "By instance", Kind = "table", Targets = [new() { Expr = "http_requests_total{job=\"checkout\"}" }] },
            ],
        };
        await using var scope = server.Services.CreateAsyncScope();
        var show = scope.ServiceProvider.GetRequiredService<ShowDashboard>();
        var (range, error) = show.Range("now-30m", "now");
        Assert.Null(error);

        var variables = show.Variables(dashboard, range, new Dictionary<string, string?> { ["instance"] = "api-2" });
        Assert.Equal(["api-1", "api-2"], variables[0].Options);
        Assert.Equal("api-2", variables[0].Value);
        var panels = await show.PanelsAsync(dashboard, range, variables, default);

        Assert.All(panels, p => Assert.Null(p.Error));
        Assert.Equal(["api-1 rps", "api-2 rps"], panels[0].Series.Select(s => s.Name));
        Assert.Equal(2, panels[0].Series[0].Points[^1].Value, 6);
        Assert.Equal(1800, Assert.Single(panels[1].Values).Value);
        Assert.Equal(["__name__", "instance", "job"], panels[2].Columns);
        Assert.Equal([3600d, 1800d], panels[2].Rows.Select(r => r.Value));

        // A variable value that is not among its options falls back to the first one, never into the query as typed.
        var forged = show.Variables(dashboard, range, new Dictionary<string, string?> { ["instance"] = "\"}) or vector(1" });
        Assert.Equal("api-1", forged[0].Value);
    }

    [Fact]
    public async Task The_system_health_dashboard_evaluates_every_panel_without_an_error_on_a_new_server()
    {
        await using var server = await TestServer.StartAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var show = scope.ServiceProvider.GetRequiredService<ShowDashboard>();
        var (range, _) = show.Range(null, null);
        var dashboard = CreateSystemHealthDashboard.Definition();

        var panels = await show.PanelsAsync(dashboard, range, show.Variables(dashboard, range, new Dictionary<string, string?>()), default);

        Assert.All(panels, p => Assert.True(p.Error is null, $"{p.Panel.Title}: {p.Error}"));
        Assert.Equal(0, panels.Single(p => p.Panel.Title == "Firing alerts").Values.Single().Value);
    }
}
