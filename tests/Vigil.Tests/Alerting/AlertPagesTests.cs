using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Features.Alerting;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

public sealed class AlertPagesTests
{
    [Fact]
    public async Task An_operator_silences_from_the_console_and_the_alerts_page_shows_the_alert_silenced()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            channels: [{name: oncall, type: webhook, url: "http://127.0.0.1:9/"}]
            routing:
              route: {receiver: oncall}
            """);
        await server.CreateUserAsync("olga", Role.Operator);
        var olga = await server.SignInAsync("olga", "a long enough password");
        await server.Services.GetRequiredService<IAlertIngest>().PutAsync(
            [new IncomingAlert(Labels.Of("alertname", "HighLatency", "service", "api"), Labels.Empty, null, null, "", "rule")], CancellationToken.None);

        var posted = await TestServer.PostFormAsync(olga, "/alerts/silences", "create-silence", new()
        {
            ["Create.Matchers"] = "service=\"api\", alertname=~\"High.*\"",
            ["Create.Duration"] = "2h",
            ["Create.Comment"] = "deploying",
        });
        var page = await posted.Content.ReadAsStringAsync();
        Assert.Contains("data-state=\"active\"", page);
        Assert.Contains("service=&quot;api&quot;, alertname=~&quot;High.*&quot;", page);

        var alerts = await olga.GetStringAsync("/alerts");
        Assert.Contains("data-state=\"suppressed\"", alerts);
        Assert.Contains("silenced by", alerts);
        Assert.Contains("oncall", alerts);
        var entry = Assert.Single(await server.AuditAsync(), e => e.Resource == "silence");
        Assert.Equal(("create", "olga"), (entry.Action, entry.Username));
    }
}
