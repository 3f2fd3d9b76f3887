using Vigil.Features.Monitors;

namespace Vigil.Tests.Monitors;

public sealed class HttpProbeTests : IAsyncLifetime
{
    private TargetServer target = null!;

    public async Task InitializeAsync() => target = await TargetServer.StandardAsync();

    public async Task DisposeAsync() => await target.DisposeAsync();

    private Task<CheckResult> Check(string path, Action<MonitorDefinition>? configure = null)
    {
        var m = new MonitorDefinition { Type = MonitorType.Http, Url = target.Url + path };
        configure?.Invoke(m);
        return Probes.RunAsync(m);
    }

    [Fact]
    public async Task A_healthy_endpoint_is_up_with_its_status()
    {
        var result = await Check("/ok", m => m.Conditions = [new() { BodyContains = "good" }, new() { HeaderPresent = "Content-Type" }]);

        Assert.Equal((MonitorStatus.Up, "status 200"), (result.Status, result.Reason));
    }

    [Fact]
    public async Task A_503_is_down_with_the_status_as_reason()
    {
        var result = await Check("/fail");

        Assert.Equal((MonitorStatus.Down, "status 503"), (result.Status, result.Reason));
    }

    [Fact]
    public async Task An_expected_non_2xx_status_counts_as_up()
    {
        var result = await Check("/fail", m => m.ExpectedStatus = [503]);

        Assert.Equal(MonitorStatus.Up, result.Status);
    }

    [Theory]
    [InlineData("body_not_contains", "good", "body mismatch: contains \"good\"")]
    [InlineData("body_contains", "missing", "body mismatch: does not contain \"missing\"")]
    [InlineData("body_regex", "^bad", "body mismatch: does not match /^bad/")]
    [InlineData("header_present", "X-Nope", "header X-Nope missing")]
    public async Task A_failed_condition_is_down_with_the_reason(string kind, string value, string reason)
    {
        var condition = kind switch
        {
            "body_not_contains" => new ConditionDefinition { BodyNotContains = value },
            "body_contains" => new ConditionDefinition { BodyContains = value },
            "body_regex" => new ConditionDefinition { BodyRegex = value },
            _ => new ConditionDefinition { HeaderPresent = value },
        };

        var result = await Check("/ok", m => m.Conditions = [condition]);

        Assert.Equal((MonitorStatus.Down, reason), (result.Status, result.Reason));
    }

    [Fact]
    public async Task A_json_path_is_compared_with_the_expected_value()
    {
        var passing = await Check("/json", m => m.Conditions = [new() { JsonPath = "data.items[0].id", JsonEquals = "7" }]);
        var failing = await Check("/json", m => m.Conditions = [new() { JsonPath = "$.status", JsonEquals = "down" }]);

        Assert.Equal(MonitorStatus.Up, passing.Status);
        Assert.Equal("body mismatch: $.status is \"ok\", expected \"down\"", failing.Reason);
    }

    [Fact]
    public async Task A_response_slower_than_the_threshold_is_degraded()
    {
        var result = await Check("/slow", m => m.DegradedAfter = TimeSpan.FromMilliseconds(100));

        Assert.Equal(MonitorStatus.Degraded, result.Status);
        Assert.StartsWith("slow: ", result.Reason);
    }

    [Fact]
    public async Task Redirects_are_followed_unless_turned_off()
    {
        var followed = await Check("/redirect");
        var notFollowed = await Check("/redirect", m => m.FollowRedirects = false);

        Assert.Equal(MonitorStatus.Up, followed.Status);
        Assert.Equal((MonitorStatus.Down, "status 302"), (notFollowed.Status, notFollowed.Reason));
    }

    [Fact]
    public async Task A_redirect_loop_is_down_as_too_many_redirects_not_as_its_last_status()
    {
        var result = await Check("/loop");

        Assert.Equal(MonitorStatus.Down, result.Status);
        Assert.StartsWith("too many redirects: more than 10", result.Reason);
    }

    [Fact]
    public async Task A_hanging_target_fails_at_the_timeout()
    {
        var result = await Check("/hang", m => m.Timeout = TimeSpan.FromMilliseconds(500));

        Assert.Equal((MonitorStatus.Down, "timeout after 500ms"), (result.Status, result.Reason));
    }

    [Fact]
    public async Task An_endless_body_fails_fast_at_the_size_limit()
    {
        var result = await Check("/huge", m => m.Timeout = TimeSpan.FromSeconds(5));

        Assert.Equal((MonitorStatus.Down, "body too large: more than 1 MiB"), (result.Status, result.Reason));
        Assert.True(result.Duration < TimeSpan.FromSeconds(2), $"took {result.Duration}");
    }

    [Fact]
    public async Task A_closed_port_is_down_with_connection_refused()
    {
        var result = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Http, Url = $"http://127.0.0.1:{FreePort()}/" });

        Assert.Equal((MonitorStatus.Down, "connection refused"), (result.Status, result.Reason));
    }

    [Fact]
    public async Task Dependency_health_maps_each_part_to_a_component_status()
    {
        var result = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.DependencyHealth, Url = target.Url + "/health" });

        Assert.Equal(MonitorStatus.Degraded, result.Status);
        Assert.Contains(new ComponentResult("database", MonitorStatus.Up, "connected"), result.Components);
        Assert.Contains(new ComponentResult("external_apis.shopify", MonitorStatus.Degraded, "degraded"), result.Components);
        Assert.Contains("external_apis.shopify: degraded", result.Reason);
    }

    [Fact]
    public async Task A_listed_component_that_is_missing_is_down()
    {
        var result = await Probes.RunAsync(new MonitorDefinition
        {
            Type = MonitorType.DependencyHealth,
            Url = target.Url + "/health",
            Components = new() { ["cache"] = MonitorImpact.MajorOutage },
        });

        Assert.Equal(MonitorStatus.Down, result.Status);
        Assert.StartsWith("cache: (missing)", result.Reason);
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
