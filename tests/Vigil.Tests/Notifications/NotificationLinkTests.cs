using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;
using Vigil.Tests.Support;
using static Vigil.Tests.Notifications.DeliveryScenario;

namespace Vigil.Tests.Notifications;

/// <summary>
/// Every link a channel sends opens a console page that exists: absolute, under the server's external
/// URL, and answering 200 to a signed-in GET (Alertmanager's <c>/#/alerts?receiver=…</c> 404s on Vigil).
/// </summary>
public abstract partial class NotificationLinkTests : IAsyncLifetime
{
    private readonly SmtpListener smtp = new();
    private NotificationReceiver receiver = null!;
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), $"""
            server:
              external_url: https://vigil.example.test/ops
            channels:
              - name: hook
                type: webhook
                url: {receiver.Url}/hook
              - name: slack
                type: slack
                url: {receiver.Url}/slack/services/T0000/B0000/XXXX
              - name: pagerduty
                type: pagerduty
                routing_key: 0123456789abcdef0123456789abcdef
                url: {receiver.Url}/pagerduty/v2/enqueue
              - name: teams
                type: teams
                url: {receiver.Url}/teams
              - name: mail
                type: email
                smarthost: 127.0.0.1:{smtp.Port}
                from: vigil@example.com
                to: oncall@example.com
                require_tls: false
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        await smtp.DisposeAsync();
    }

    [GeneratedRegex("https?://[^\\s\"<>|]+")]
    private static partial Regex Link();

    /// <summary>The groups whose links differ: several alerts, one alert, a monitor's alert, an incident's alert.</summary>
    private List<NotificationGroup> Groups()
    {
        var external = server.BaseAddress.ToString().TrimEnd('/');
        var now = server.Clock.GetUtcNow();
        NotifiedAlert Alert(params string[] labels) => new(AlertStatus.Firing, Labels.Of(labels), Labels.Of("summary", "it broke"), now, null, "");
        NotificationGroup Group(params NotifiedAlert[] alerts) => new("oncall", "{}", Labels.Empty, alerts, external);
        return
        [
            Group(Alert("alertname", "HighErrorRate", "service", "api", "instance", "api-1"), Alert("alertname", "HighErrorRate", "service", "api", "instance", "api-2")),
            Group(Alert("alertname", "HighLatency", "service", "api")),
            Group(Alert("alertname", "MonitorDown", "monitor", "checkout-port", "service", "checkout")),
            Group(Alert("alertname", "IncidentUpdateDue", "incident", "INC-1", "severity", "P2")),
        ];
    }

    [Fact]
    public async Task Every_link_in_every_channels_payload_opens_a_console_page_under_the_external_url()
    {
        var channels = new[] { "hook", "slack", "pagerduty", "teams", "mail" };
        var ids = new List<long>();
        var groups = Groups();
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var channel in channels)
            {
                ids.Add(await EnqueueAsync(server, channel, groups[g], $"links-{channel}-{g}"));
            }
        }
        foreach (var id in ids)
        {
            await UntilAsync(async () => (await MessageAsync(server, id)).Status == OutboxStatus.Delivered,
                async () => string.Join("; ", (await AttemptsAsync(server, id)).Select(a => a.Error)));
        }

        var bodies = receiver.Requests.Select(r => (r.Path, r.Text)).ToList();
        foreach (var mail in smtp.Messages)
        {
            var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(mail.Data)));
            bodies.Add(("mail", message.TextBody + "\n" + message.HtmlBody));
        }
        Assert.Equal(channels.Length * groups.Count, bodies.Count);

        var external = server.BaseAddress.ToString().TrimEnd('/');
        var browser = await server.SignInAsync(TestServer.AdminUsername, TestServer.AdminPassword);
        var links = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, text) in bodies)
        {
            // A Teams MessageCard names its schema ("@context": "https://schema.org/extensions"); not a link to follow.
            var found = Link().Matches(text).Select(m => m.Value).Where(l => l != "https://schema.org/extensions").ToList();
            Assert.True(found.Count > 0, $"{path} carries no link: {text}");
            Assert.All(found, link => Assert.StartsWith(external + "/", link + "/", StringComparison.Ordinal));
            Assert.DoesNotContain(found, link => link.Contains('#', StringComparison.Ordinal));
            links.UnionWith(found);
        }
        Assert.Contains($"{external}/alerts", links);
        Assert.Contains($"{external}/monitors/checkout-port", links);
        Assert.Contains($"{external}/incidents/INC-1", links);
        foreach (var link in links)
        {
            var response = await browser.GetAsync(new Uri(link));
            if (link == external && response.StatusCode == HttpStatusCode.Redirect)
            {
                // The webhook's externalURL is the server's root (as Alertmanager's is), which sends a browser to the console's start page.
                response = await browser.GetAsync(new Uri(new Uri(link), response.Headers.Location!));
            }
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {link} answered {(int)response.StatusCode}");
        }
    }
}

public abstract partial class NotificationLinkTests
{
    [Fact]
    public async Task A_channels_test_notification_links_to_a_console_page_under_the_external_url()
    {
        var queued = await TestAsync(server.Http, "slack");
        await UntilAsync(async () => (await MessageAsync(server, queued.Id)).Status == OutboxStatus.Delivered,
            async () => string.Join("; ", (await AttemptsAsync(server, queued.Id)).Select(a => a.Error)));

        // Absolute under server.external_url (where people reach the console), and the page exists.
        var body = Assert.Single(receiver.Requests, r => r.Path.StartsWith("/slack", StringComparison.Ordinal)).Text;
        var link = Assert.Single(Link().Matches(body).Select(m => m.Value).Distinct());
        Assert.Equal("https://vigil.example.test/ops/notifications?channel=slack", link);
        var browser = await server.SignInAsync(TestServer.AdminUsername, TestServer.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/notifications?channel=slack")).StatusCode);
    }
}

public sealed class NotificationLinksOnSqlite : NotificationLinkTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class NotificationLinksOnPostgres(PostgresServer postgres) : NotificationLinkTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
