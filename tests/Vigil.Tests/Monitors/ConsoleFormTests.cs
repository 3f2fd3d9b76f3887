using Vigil.Features.Catalog;
using Vigil.Features.Catalog.Pages;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Pages;
using Vigil.Features.Monitors.Uptime;
using static Vigil.Features.Monitors.MonitorStatus;

namespace Vigil.Tests.Monitors;

/// <summary>
/// Issue 23: the console's service and monitor forms stand for the API's bodies (what they cannot read is
/// named at the API's path), an edit keeps what the form does not show, and the monitor page's uptime bars.
/// </summary>
public sealed class ConsoleFormTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Hourly_uptime_bars_end_with_the_hour_under_way_and_show_each_hours_share_up()
    {
        // Down from 22:30 to 22:45; now is 23:20, so the last bar is 23:00-23:20.
        StatePoint[] history = [new(T0.AddDays(-1), Up), new(T0.AddHours(22.5), Down), new(T0.AddHours(22.75), Up)];
        var now = T0.AddHours(23).AddMinutes(20);

        var bars = UptimeCalculator.Buckets(history, T0, TimeSpan.FromHours(1), 24, now, [], null, true, VigilDowntime.Unknown);

        Assert.Equal(24, bars.Count);
        Assert.Equal(new Interval(T0.AddHours(23), now), bars[^1].Range);
        Assert.Equal(100, bars[^1].Summary.Percent);
        Assert.Equal(75, bars[22].Summary.Percent);
        Assert.Equal(TimeSpan.FromMinutes(15), bars[22].Summary.Down);
        Assert.All(bars.Take(22), b => Assert.Equal(100, b.Summary.Percent));
    }

    [Fact]
    public void Daily_bars_are_the_day_buckets_they_always_were()
    {
        StatePoint[] history = [new(T0, Up), new(T0.AddDays(1).AddHours(12), Down)];
        var now = T0.AddDays(2).AddHours(6);

        var days = UptimeCalculator.Daily(history, now, 3, [], null, true, VigilDowntime.Unknown);

        Assert.Equal([new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2), new DateOnly(2026, 11, 3)], days.Select(d => d.Day));
        Assert.Equal([100, 50, 0], days.Select(d => d.Summary.Percent ?? -1));
    }

    [Fact]
    public void A_service_form_becomes_the_api_body_and_back()
    {
        var form = new ServiceForm
        {
            Name = " shop ",
            Tier = "2",
            Owner = "team-web",
            Tags = "web, customer-facing",
            Repository = "https://git.example.com/shop",
            Environments = "production https://shop.example.com metrics=https://10.0.0.5:9100/metrics\nstaging",
            Dependencies = "api critical\ndatabase:orders-db critical # the orders\nthird_party_api:stripe",
            Contacts = "Ana; DBA; ana@example.com; +1 555 0100",
        };

        var (d, errors) = form.ToDefinition();

        Assert.Empty(errors);
        Assert.Equal("shop", d.Name);
        Assert.Equal(2, d.Tier);
        Assert.Equal(["web", "customer-facing"], d.Tags!);
        Assert.Equal("https://shop.example.com", d.Environments![0].Url);
        Assert.Equal(("10.0.0.5:9100", "/metrics", "https"), (d.Environments[0].Metrics!.Target, d.Environments[0].Metrics!.Path, d.Environments[0].Metrics!.Scheme));
        Assert.Null(d.Environments[1].Url);
        Assert.Equal(("api", true), (d.Dependencies![0].Service, d.Dependencies[0].Critical!.Value));
        Assert.Equal(("orders-db", DependencyKind.Database, "the orders"), (d.Dependencies[1].External, d.Dependencies[1].Kind!.Value, d.Dependencies[1].Description));
        Assert.Equal(DependencyKind.ThirdPartyApi, d.Dependencies[2].Kind);
        Assert.Equal(("Ana", "DBA", "ana@example.com", "+1 555 0100"), (d.Contacts![0].Name, d.Contacts[0].Role, d.Contacts[0].Email, d.Contacts[0].Phone));

        var service = new Service { Name = "shop" };
        ServiceRules.Apply(d, service);
        var again = ServiceForm.From(service).ToDefinition(service).Definition;
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(d), System.Text.Json.JsonSerializer.Serialize(again));
    }

    [Theory]
    [InlineData("Tier", "two", "tier")]
    [InlineData("Dependencies", "api\nqueue-ish:jobs", "dependencies[1].kind")]
    public void A_service_form_line_it_cannot_read_is_named_at_the_apis_path(string field, string value, string path)
    {
        var form = new ServiceForm { Name = "shop" };
        typeof(ServiceForm).GetProperty(field)!.SetValue(form, value);

        Assert.Contains(form.ToDefinition().Errors, e => e.Path == path);
    }

    [Fact]
    public void A_monitor_form_becomes_the_api_body_and_an_edit_keeps_what_the_form_does_not_show()
    {
        var stored = new MonitorDefinition
        {
            Name = "shop-home",
            Type = MonitorType.Http,
            Service = "shop",
            Url = "https://shop.example.com/",
            Conditions = [new ConditionDefinition { BodyContains = "Welcome" }, new ConditionDefinition { JsonPath = "status", JsonEquals = "ok" }],
            JsonSamples = new() { ["queue"] = "queue.depth" },
        };
        var form = MonitorForm.From(stored);
        Assert.Equal(("http", "Welcome"), (form.Type, form.Keyword));

        form.Keyword = "Hello";
        form.Interval = "30s";
        form.ExpectedStatus = "200, 204";
        form.Headers = "Accept: text/html";
        form.NoRedirects = true;
        var (d, errors) = form.ToDefinition(stored);

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(30), d.Interval);
        Assert.Equal([200, 204], d.ExpectedStatus!);
        Assert.Equal("text/html", d.Headers!["Accept"]);
        Assert.False(d.FollowRedirects);
        Assert.Null(d.VerifyTls);
        Assert.Equal(["Hello", null], d.Conditions!.Select(c => c.BodyContains));
        Assert.Equal("status", d.Conditions![1].JsonPath);
        Assert.Equal("queue.depth", d.JsonSamples!["queue"]);
        Assert.Empty(MonitorRules.Validate(d, "", _ => []));
    }

    [Theory]
    [InlineData("Interval", "soon", "interval")]
    [InlineData("Port", "http", "port")]
    [InlineData("Type", "ftp", "type")]
    [InlineData("ExpectedStatus", "200, ok", "expected_status[1]")]
    [InlineData("Headers", "no colon here", "headers")]
    public void A_monitor_form_value_it_cannot_read_is_named_at_the_apis_path(string field, string value, string path)
    {
        var form = new MonitorForm { Name = "x", Type = "http", Service = "shop" };
        typeof(MonitorForm).GetProperty(field)!.SetValue(form, value);

        Assert.Contains(form.ToDefinition().Errors, e => e.Path == path);
    }
}
