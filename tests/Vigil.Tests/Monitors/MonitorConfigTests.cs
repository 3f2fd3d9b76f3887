using System.Collections;
using Vigil.Configuration;
using Vigil.Features.Monitors;

namespace Vigil.Tests.Monitors;

public sealed class MonitorConfigTests
{
    [Fact]
    public void Bad_monitors_in_the_config_are_reported_with_line_and_column()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            services:
              - name: api
            monitors:
              - name: a
                type: gopher
                service: api
              - name: b
                type: http
                service: ledger
                url: ftp://example.com
                interval: 500ms
              - name: c
                type: http
                service: api
                url: http://127.0.0.1/
                conditions:
                  - body_regex: "(unclosed"
            """, new Hashtable());

        Assert.Equal(
            [
                "vigil.yaml:5:11: invalid value \"gopher\": expected one of http, tcp, dns, tls, heartbeat, dependency_health, multi_step, websocket, icmp",
                "vigil.yaml:9:14: unknown service \"ledger\"",
                "vigil.yaml:10:10: \"ftp://example.com\" is not an absolute http(s) URL",
                "vigil.yaml:11:15: must be at least 1s",
            ],
            loaded.Errors.Take(4).Select(e => e.ToString()));
        Assert.StartsWith("vigil.yaml:17:21: invalid regular expression", loaded.Errors[4].ToString());
    }

    [Fact]
    public void The_example_config_defines_monitors_that_work_offline()
    {
        var loaded = ConfigLoader.Load(Support.RepositoryPaths.ExampleConfig, new Hashtable());

        Assert.Empty(loaded.Errors);
        Assert.Contains(loaded.Config.Monitors, m => m.Type == MonitorType.Http && m.Url!.StartsWith("http://127.0.0.1:8080/", StringComparison.Ordinal));
        Assert.Contains(loaded.Config.Monitors, m => m.Type == MonitorType.Heartbeat);
    }
}
