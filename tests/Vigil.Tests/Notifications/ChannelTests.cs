using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Vigil.Configuration;
using Vigil.Features.Alerting;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Notifications.Outbox;
using Vigil.Tests.Support;
using static Vigil.Tests.Notifications.DeliveryScenario;

namespace Vigil.Tests.Notifications;

/// <summary>Email, SMS and Teams channels against real local receivers, the channel API's permissions, and the watchers of the watcher.</summary>
public sealed class ChannelTests : IAsyncLifetime
{
    private readonly SmtpListener smtp = new();
    private NotificationReceiver receiver = null!;
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        var secret = Path.Combine(Path.GetTempPath(), $"vigil-smtp-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(secret, "mail-password\n");
        server = await TestServer.StartAsync(null, $$$"""
            notifications:
              initial_backoff: 10s
              watchdog: true
              dead_mans_switch:
                url: {{{receiver.Url}}}/ping/abc
                interval: 30s
            channels:
              - name: mail
                type: email
                smarthost: 127.0.0.1:{{{smtp.Port}}}
                from: vigil@example.com
                to: oncall@example.com, lead@example.com
                auth_username: vigil
                auth_password_file: {{{secret}}}
                require_tls: false
              - name: phone
                type: sms
                url: {{{receiver.Url}}}/twilio
                account_sid: AC123
                auth_token: tok
                from: '+15550001'
                to: '+15550002'
              - name: teams
                type: teams
                url: {{{receiver.Url}}}/teams
                title: 'Vigil: {{ $labels.alertname }} ({{ $value }} firing)'
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        await smtp.DisposeAsync();
    }

    [Fact]
    public async Task Email_goes_over_smtp_with_text_and_html_parts_in_the_incident_layout_and_a_message_id_from_the_key()
    {
        var id = await EnqueueAsync(server, "mail", AlertmanagerPayloadTests.GroupOf("step1-firing"), "k-mail");
        await UntilAsync(async () => (await MessageAsync(server, id)).Status == OutboxStatus.Delivered, async () => string.Join("; ", (await AttemptsAsync(server, id)).Select(a => a.Error)));

        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("vigil@example.com", mail.From);
        Assert.Equal(["oncall@example.com", "lead@example.com"], mail.To);
        Assert.Equal("vigil mail-password", mail.Auth);
        var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(mail.Data)));
        // Alertmanager's subject is "[FIRING:2] HighErrorRate api (critical 500)"; Vigil's is the alert
        // name and the service, not every label (issue 15).
        Assert.Equal("[FIRING:2] HighErrorRate — api", message.Subject);
        Assert.Equal(EmailChannel.MessageId("k-mail"), message.MessageId);
        Assert.StartsWith("🚨 INCIDENT ALERT\nSeverity: critical\nService: api\n", message.TextBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("<p><strong>🚨 INCIDENT ALERT</strong></p>", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_email_is_a_failed_attempt_with_the_smtp_reply()
    {
        smtp.RefuseMail = true;
        var id = await EnqueueAsync(server, "mail", AlertmanagerPayloadTests.GroupOf("step3-resolved"), "k-refused");
        await UntilAttemptsAsync(server, id, 1);
        var attempt = (await AttemptsAsync(server, id)).Single();
        Assert.Equal(451, attempt.StatusCode);
        Assert.Contains("try again later", attempt.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sms_posts_a_short_incident_text_to_a_twilio_compatible_api_with_basic_auth()
    {
        var id = await EnqueueAsync(server, "phone", AlertmanagerPayloadTests.GroupOf("step3-resolved"), "k-sms");
        await UntilAsync(async () => (await MessageAsync(server, id)).Status == OutboxStatus.Delivered);

        var request = Assert.Single(receiver.Requests, r => r.Path.StartsWith("/twilio", StringComparison.Ordinal));
        Assert.Equal("/twilio/2010-04-01/Accounts/AC123/Messages.json", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String("AC123:tok"u8.ToArray()), request.Header("Authorization"));
        var form = System.Web.HttpUtility.ParseQueryString(request.Text);
        Assert.Equal("+15550002", form["To"]);
        Assert.Equal("+15550001", form["From"]);
        Assert.StartsWith("✅ INCIDENT RESOLVED\nSeverity: critical\nService: api", form["Body"], StringComparison.Ordinal);
        Assert.Equal("k-sms/+15550002", request.Header("I-Twilio-Idempotency-Token"));
    }

    [Fact]
    public async Task Teams_gets_a_message_card_with_the_channels_own_title_template()
    {
        var id = await EnqueueAsync(server, "teams", AlertmanagerPayloadTests.GroupOf("step2-one-resolved"), "k-teams");
        await UntilAsync(async () => (await MessageAsync(server, id)).Status == OutboxStatus.Delivered);

        var request = Assert.Single(receiver.Requests, r => r.Path == "/teams");
        // Every channel's request names Vigil and its version, as a receiver's logs show it.
        Assert.Matches(@"^Vigil/\d+\.\d+\.\d+", request.Header("User-Agent"));
        Assert.Equal(ChannelHttp.UserAgent, request.Header("User-Agent"));
        using var card = JsonDocument.Parse(request.Body);
        Assert.Equal("MessageCard", card.RootElement.GetProperty("@type").GetString());
        Assert.Equal("Vigil: HighErrorRate (1 firing)", card.RootElement.GetProperty("title").GetString());
        Assert.StartsWith("📊 INCIDENT UPDATE  \nSeverity: critical", card.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewers_see_channels_without_secrets_operators_may_test_them_and_the_test_is_audited()
    {
        var viewer = await server.ClientFor("viewer");
        var channels = await viewer.GetFromJsonAsync<JsonElement>("/api/channels");
        Assert.Equal(["mail", "phone", "teams"], channels.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.DoesNotContain("tok", channels.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/channels/teams/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PostAsync("/api/channels/nope/test", null)).StatusCode);

        var operatorClient = await server.ClientFor("operator");
        var queued = await TestAsync(operatorClient, "teams");
        await UntilAsync(async () => (await MessageAsync(server, queued.Id)).Status == OutboxStatus.Delivered);

        var audit = (await server.AuditAsync()).Where(e => e.Action == "test").ToList();
        var entry = Assert.Single(audit);
        Assert.Equal(("channel", "teams"), (entry.Resource, entry.ResourceId));
        var teams = (await viewer.GetFromJsonAsync<JsonElement>("/api/channels")).EnumerateArray().Single(c => c.GetProperty("name").GetString() == "teams");
        Assert.NotEqual(JsonValueKind.Null, teams.GetProperty("last_success_at").ValueKind);

        var page = await viewer.GetStringAsync("/notifications?channel=teams");
        Assert.Contains("data-channel=\"teams\"", page, StringComparison.Ordinal);
        Assert.Contains(queued.IdempotencyKey, page, StringComparison.Ordinal);
        Assert.Contains(">delivered</span>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_watchdog_alert_fires_and_the_dead_mans_switch_is_called_every_interval()
    {
        await UntilAsync(async () => await server.QueryAsync(db => db.Set<StoredAlert>().AnyAsync(a => a.LabelsJson.Contains("Watchdog"))));
        await UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Path == "/ping/abc")));
        Assert.Equal("GET", receiver.Requests.First(r => r.Path == "/ping/abc").Method);

        server.Clock.Advance(TimeSpan.FromSeconds(30));
        await UntilAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/ping/abc") == 2));
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        await UntilAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/ping/abc") == 3));
    }

    [Fact]
    public void Bad_channels_in_the_config_are_reported_with_line_and_column()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            channels:
              - name: a
                type: carrier-pigeon
              - name: b
                type: webhook
              - name: c
                type: email
                smarthost: mail:25
                from: not an address
                to: ops@example.com
                fallback: nobody
            """, new Hashtable());

        Assert.Equal(
            [
                "vigil.yaml:3:11: unknown channel type \"carrier-pigeon\"; one of slack, pagerduty, email, sms, teams, webhook",
                "vigil.yaml:4:5: a webhook channel needs a url",
                "vigil.yaml:9:11: \"not an address\" is not an email address",
                "vigil.yaml:11:15: no channel named \"nobody\"",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }
}
