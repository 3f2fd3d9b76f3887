using System.Text;
using System.Text.Json;
using MimeKit;
using Vigil.Features.Alerting;
using Vigil.Features.Notifications;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Notifications;

/// <summary>
/// Incident updates and alert details reach people whole: Slack (a real loopback HTTP receiver)
/// and email (a real loopback SMTP listener) get the update's full text, and an alert's
/// description and <c>action</c> annotations reach Slack. Once on SQLite, once on PostgreSQL.
/// </summary>
public abstract class IncidentMessageDeliveryTests : IAsyncLifetime
{
    private TestServer server = null!;
    private NotificationReceiver receiver = null!;
    private SmtpListener smtp = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        smtp = new SmtpListener();
        server = await TestServer.StartAsync(await DatabaseAsync(), $$$"""
            services:
              - name: checkout
            channels:
              - name: ops-slack
                type: slack
                url: {{{receiver.Url}}}/slack
              - name: ops-mail
                type: email
                smarthost: 127.0.0.1:{{{smtp.Port}}}
                from: vigil@example.com
                to: oncall@example.com
                require_tls: false
            incidents:
              update_channels: [ops-slack, ops-mail]
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        await smtp.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_incident_update_reaches_slack_and_email_with_its_whole_text()
    {
        var opened = await server.Http.PostAsync("/api/incidents", Json("""{"title": "Checkout returns 500", "severity": "P2", "services": [{"service": "checkout", "impact": "major_outage"}]}"""));
        opened.EnsureSuccessStatusCode();
        var posted = await server.Http.PostAsync("/api/incidents/INC-2026-001/updates", Json(
            """{"status": "identified", "message": "Connection pool exhausted; raising the limit", "eta": "30 minutes", "next_update": "15m"}"""));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        var expected = "📊 INCIDENT UPDATE\nIncident: #INC-2026-001\nStatus: Identified\nProgress: Connection pool exhausted; raising the limit\nETA: 30 minutes\nNext Update: 15 minutes";

        await DeliveryScenario.UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Path == "/slack") && smtp.Messages.Count > 0));
        var slack = JsonDocument.Parse(receiver.Requests.Single(r => r.Path == "/slack").Text).RootElement.GetProperty("attachments")[0];
        Assert.Equal(expected, slack.GetProperty("text").GetString());

        var mail = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(smtp.Messages).Data)));
        var text = mail.TextBody!.ReplaceLineEndings("\n");
        Assert.StartsWith(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain("INCIDENT ALERT", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Service: unknown", text, StringComparison.Ordinal);
        foreach (var line in expected.Split('\n'))
        {
            Assert.Contains($"<p>{line}</p>", mail.HtmlBody, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_alerts_description_and_action_annotations_reach_slack()
    {
        var labels = Labels.Of("alertname", "QueueBacklog", "service", "checkout", "severity", "warning");
        var group = new NotificationGroup("ops-slack", "{}", Labels.Of("alertname", "QueueBacklog"),
            [new NotifiedAlert(AlertStatus.Firing, labels, Labels.Of("summary", "Queue backlog growing", "description", "12000 jobs waiting for more than 10 minutes", "action", "Scale workers"), server.Clock.GetUtcNow(), null, "")],
            "http://127.0.0.1");
        await DeliveryScenario.EnqueueAsync(server, "ops-slack", group, "backlog-1");

        await DeliveryScenario.UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Path == "/slack")));
        var text = JsonDocument.Parse(receiver.Requests.Single(r => r.Path == "/slack").Text).RootElement.GetProperty("attachments")[0].GetProperty("text").GetString()!;
        Assert.Contains("Queue backlog growing\n12000 jobs waiting for more than 10 minutes\nAction: Scale workers", text, StringComparison.Ordinal);
    }
}

public sealed class IncidentMessageDeliveryOnSqlite : IncidentMessageDeliveryTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class IncidentMessageDeliveryOnPostgres(PostgresServer postgres) : IncidentMessageDeliveryTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
