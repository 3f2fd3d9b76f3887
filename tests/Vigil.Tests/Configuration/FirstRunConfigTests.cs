using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vigil.Configuration;
using Vigil.Features.Monitors;
using Vigil.Features.OnCall.Escalation;
using Vigil.Hosting;
using Vigil.Tests.Hosting;

namespace Vigil.Tests.Configuration;

/// <summary>The smaller first-run fixes: one status code for a list of one, one address for every link, the sink's and the pager's lines.</summary>
public sealed class FirstRunConfigTests
{
    private static LoadedConfig Parse(string yaml, string? listen = null) =>
        ConfigLoader.Parse("vigil.yaml", yaml, new Hashtable(), listen);

    [Fact]
    public void Expected_status_takes_one_code_or_a_list_and_a_bad_code_is_still_pointed_at()
    {
        var loaded = Parse("""
            services:
              - name: api
            monitors:
              - name: one
                type: http
                service: api
                url: http://127.0.0.1:9/health
                expected_status: 204
              - name: several
                type: http
                service: api
                url: http://127.0.0.1:9/health
                expected_status: [200, 301]
              - name: wrong
                type: http
                service: api
                url: http://127.0.0.1:9/health
                expected_status: ok
            """);

        Assert.Equal([204], loaded.Config.Monitors.Single(m => m.Name == "one").ExpectedStatus!);
        Assert.Equal([200, 301], loaded.Config.Monitors.Single(m => m.Name == "several").ExpectedStatus!);
        Assert.NotEmpty(loaded.Errors);
        Assert.All(loaded.Errors, e => Assert.StartsWith("vigil.yaml:18:22: ", e.ToString()));
    }

    [Fact]
    public void Expected_status_in_the_api_takes_one_code_or_a_list()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        VigilHost.ConfigureJson(json);

        var one = JsonSerializer.Deserialize<MonitorDefinition>("""{"name": "a", "type": "http", "service": "api", "url": "http://127.0.0.1:9/", "expected_status": 200}""", json)!;
        var several = JsonSerializer.Deserialize<MonitorDefinition>("""{"name": "a", "type": "http", "service": "api", "url": "http://127.0.0.1:9/", "expected_status": [200, 204]}""", json)!;

        Assert.Equal([200], one.ExpectedStatus!);
        Assert.Equal([200, 204], several.ExpectedStatus!);
        Assert.Contains("\"expected_status\":[200]", JsonSerializer.Serialize(one, json));
    }

    [Fact]
    public void Every_link_is_built_on_the_first_listen_address_unless_server_external_url_says_otherwise()
    {
        var config = Parse("server:\n  listen: http://0.0.0.0:9090;http://127.0.0.1:9091\n").Config;
        Assert.Equal("http://127.0.0.1:9090", config.Server.ExternalUrl);
        Assert.Equal("http://127.0.0.1:9090", config.Routing.ExternalUrl);
        Assert.Equal("http://127.0.0.1:9090", config.Alerting.ExternalUrl);
        Assert.Equal("http://127.0.0.1:9090", config.Paging.ExternalUrl);
        Assert.Equal("http://127.0.0.1:9090", config.Incidents.ExternalUrl);

        config = Parse("server:\n  external_url: https://vigil.example.com/\n", listen: "http://127.0.0.1:8080").Config;
        Assert.Equal("https://vigil.example.com", config.Routing.ExternalUrl);
        Assert.Equal("https://vigil.example.com", config.Alerting.ExternalUrl);
    }

    [Fact]
    public void A_deprecated_external_url_key_still_sets_every_link_and_wins_in_its_own_section()
    {
        // The case: alerting.external_url set, routing.external_url empty -> webhooks had an empty externalURL.
        var config = Parse("alerting:\n  external_url: https://vigil.example.com\n", listen: "http://127.0.0.1:8080").Config;
        Assert.Equal("https://vigil.example.com", config.Routing.ExternalUrl);
        Assert.Equal("https://vigil.example.com", config.Server.ExternalUrl);

        config = Parse("server:\n  external_url: https://vigil.example.com\npaging:\n  external_url: https://pages.example.com\n").Config;
        Assert.Equal("https://pages.example.com", config.Paging.ExternalUrl);
        Assert.Equal("https://vigil.example.com", config.Routing.ExternalUrl);
    }

    [Fact]
    public void A_server_external_url_that_is_not_an_absolute_http_url_is_refused_with_its_place()
    {
        var loaded = Parse("server:\n  external_url: vigil.example.com\n");

        Assert.Equal(["vigil.yaml:2:17: \"vigil.example.com\" is not an absolute http(s) URL"], loaded.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void The_webhook_sink_prints_one_line_per_notification_and_one_per_alert()
    {
        var body = """
            {"version":"4","status":"firing","receiver":"ops-webhook","groupLabels":{"alertname":"HeartbeatMissed","service":"worker"},
             "externalURL":"http://127.0.0.1:8080",
             "alerts":[{"status":"firing","labels":{"alertname":"HeartbeatMissed","monitor":"nightly-backup"},
                        "annotations":{"summary":"Heartbeat nightly-backup missed"},"generatorURL":"http://127.0.0.1:8080/monitors/nightly-backup"}]}
            """;

        var text = global::Vigil.Cli.WebhookSinkCommand.Describe(new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero), "POST", "/alerts", body);

        Assert.Equal(
            [
                "15:00:00 POST /alerts firing receiver=ops-webhook group={alertname=\"HeartbeatMissed\", service=\"worker\"} (1 alerts)",
                "  firing   {alertname=\"HeartbeatMissed\", monitor=\"nightly-backup\"} Heartbeat nightly-backup missed http://127.0.0.1:8080/monitors/nightly-backup",
            ],
            text.Split('\n'));
        Assert.Equal("15:00:00 POST /x\nnot json", global::Vigil.Cli.WebhookSinkCommand.Describe(new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero), "POST", "/x", "not json"));
    }

    [Fact]
    public async Task Each_person_or_contact_paged_is_one_log_line()
    {
        var log = new LogCapture();
        var observer = new OperatorLog.PageEvents(new Logger<OperatorLog.PageEvents>(new LoggerFactory([log])));
        var at = new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);

        await observer.OnPageEventAsync(null!, new PageEvent("incident:INC-2026-001", PageEventKind.Paged, 1, "user:dana", null, "sms to +1 555 0100", at), CancellationToken.None);
        await observer.OnPageEventAsync(null!, new PageEvent("incident:INC-2026-001", PageEventKind.Acknowledged, 1, null, "dana", "acknowledged by dana", at), CancellationToken.None);

        Assert.Equal(["Page incident:INC-2026-001 sent to user:dana (escalation level 1): sms to +1 555 0100"], log.Lines("PageSent"));
    }
}
