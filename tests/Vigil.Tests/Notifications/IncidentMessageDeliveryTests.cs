using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
              - name: ops-chat
                type: slack
                url: {{{receiver.Url}}}/chat
            incidents:
              update_channels: [ops-slack, ops-mail]
              severities:
                - {name: SEV-1, response: 0s}
                - {name: SEV-2, response: 15m}
                - {name: SEV-3, response: 1h, page: false, channels: [ops-chat]}
                - {name: SEV-4, page: false}
              default_severity: SEV-3
              alert_severities: {critical: SEV-1, page: SEV-2, warning: SEV-3, ticket: SEV-3, info: SEV-4, none: SEV-4}
            """);
        await server.CreateUserAsync("alice", Vigil.Features.Access.Role.Operator);
        var method = await server.Http.PostAsJsonAsync("/api/users/alice/contact-methods", new { type = "webhook", address = $"{receiver.Url}/alice" });
        Assert.True(method.IsSuccessStatusCode, await method.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        await smtp.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static MimeMessage Mail(SmtpListener.Message message) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(message.Data)));

    [Fact]
    public async Task An_incident_update_reaches_slack_and_email_with_its_whole_text()
    {
        var opened = await server.Http.PostAsync("/api/incidents", Json("""{"title": "Checkout returns 500", "severity": "SEV-2", "services": [{"service": "checkout", "impact": "major_outage"}]}"""));
        opened.EnsureSuccessStatusCode();
        var posted = await server.Http.PostAsync("/api/incidents/INC-2026-001/updates", Json(
            """{"status": "identified", "message": "Connection pool exhausted; raising the limit", "eta": "30 minutes", "next_update": "15m"}"""));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        var expected = "📊 INCIDENT UPDATE\nIncident: #INC-2026-001\nStatus: Identified\nProgress: Connection pool exhausted; raising the limit\nETA: 30 minutes\nNext Update: 15 minutes";

        // The initial message went out when the incident opened; these are the update's.
        bool IsUpdate(string text) => text.Contains("INCIDENT UPDATE", StringComparison.Ordinal);
        await DeliveryScenario.UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Path == "/slack" && IsUpdate(r.Text)) && smtp.Messages.Any(m => IsUpdate(Mail(m).TextBody ?? ""))));
        var slack = JsonDocument.Parse(receiver.Requests.Single(r => r.Path == "/slack" && IsUpdate(r.Text)).Text).RootElement.GetProperty("attachments")[0];
        Assert.Equal(expected, slack.GetProperty("text").GetString());

        var mail = Assert.Single(smtp.Messages.Select(Mail), m => IsUpdate(m.TextBody ?? ""));
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
    public async Task A_manual_SEV_3_that_pages_nobody_sends_its_initial_message_to_its_severitys_channel_and_the_update_channels()
    {
        var opened = await server.Http.PostAsync("/api/incidents", Json(
            """{"title": "Search results slow", "description": "p95 at 900 ms", "severity": "SEV-3", "services": [{"service": "checkout", "impact": "degraded_performance"}]}"""));
        Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync());

        await DeliveryScenario.UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Path == "/chat") && receiver.Requests.Any(r => r.Path == "/slack") && smtp.Messages.Count > 0));
        var chat = JsonDocument.Parse(receiver.Requests.Single(r => r.Path == "/chat").Text).RootElement.GetProperty("attachments")[0].GetProperty("text").GetString()!;
        Assert.StartsWith("🚨 INCIDENT ALERT\nIncident: #INC-2026-001\nSeverity: SEV-3\nService: checkout\nIssue: Search results slow\nImpact: checkout: degraded performance", chat, StringComparison.Ordinal);
        Assert.Single(receiver.Requests, r => r.Path == "/slack");
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/alice");
    }

    [Fact]
    public async Task A_SEV_4_without_channels_of_its_own_tells_only_the_update_channels()
    {
        (await server.Http.PostAsync("/api/incidents", Json("""{"title": "Typo on the status page", "severity": "SEV-4"}"""))).EnsureSuccessStatusCode();

        await DeliveryScenario.UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Path == "/slack")));
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/chat");
    }

    [Fact]
    public async Task The_commander_is_told_directly_when_named_and_reminded_directly_when_the_promised_update_falls_due()
    {
        (await server.Http.PostAsync("/api/incidents", Json("""{"title": "Checkout returns 500", "severity": "SEV-2"}"""))).EnsureSuccessStatusCode();
        var roles = await server.Http.PutAsync("/api/incidents/INC-2026-001/roles", Json("""{"commander": "alice", "responders": ["nobody-here"]}"""));
        Assert.True(roles.IsSuccessStatusCode, await roles.Content.ReadAsStringAsync());
        await DeliveryScenario.UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Path == "/alice")));
        Assert.Contains("You are incident commander of INC-2026-001", Assert.Single(receiver.Requests, r => r.Path == "/alice").Text, StringComparison.Ordinal);

        (await server.Http.PostAsync("/api/incidents/INC-2026-001/updates", Json("""{"message": "Rolling back", "next_update": "15m"}"""))).EnsureSuccessStatusCode();
        server.Clock.Advance(TimeSpan.FromMinutes(16));
        await server.Services.GetRequiredService<Vigil.Features.Incidents.WatchIncidentTimers>().RunOnceAsync(CancellationToken.None);
        await DeliveryScenario.UntilAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/alice") == 2));
        var reminder = receiver.Requests.Where(r => r.Path == "/alice").Last().Text;
        Assert.Contains("the promised status update is due", reminder, StringComparison.Ordinal);
        Assert.Contains("/incidents/INC-2026-001", reminder, StringComparison.Ordinal);

        // Once per promise: another pass does not remind again.
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await server.Services.GetRequiredService<Vigil.Features.Incidents.WatchIncidentTimers>().RunOnceAsync(CancellationToken.None);
        var timeline = await server.Http.GetStringAsync("/api/incidents/INC-2026-001");
        Assert.Contains("notified alice directly (1 contact method)", timeline, StringComparison.Ordinal);
        Assert.Contains("nobody-here is not a user with a contact method", timeline, StringComparison.Ordinal);
        var queued = await server.QueryAsync(db => db.Set<Vigil.Features.Notifications.Outbox.OutboxMessage>().AsNoTracking().CountAsync(m => m.Channel.StartsWith("page:user:")));
        Assert.Equal(2, queued);
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
