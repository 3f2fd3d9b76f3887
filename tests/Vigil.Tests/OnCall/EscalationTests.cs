using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Notifications.Outbox;
using Vigil.Features.OnCall.Escalation;
using Vigil.Tests.Support;
using static Vigil.Tests.Notifications.DeliveryScenario;

namespace Vigil.Tests.OnCall;

/// <summary>Stands in for the incidents area: records every page event it is told of.</summary>
public sealed class RecordingObserver : IPageObserver
{
    public ConcurrentQueue<PageEvent> Events { get; } = new();

    public Task OnPageEventAsync(VigilDbContext db, PageEvent pageEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(pageEvent);
        return Task.CompletedTask;
    }

    public string Timeline => string.Join("\n", Events.Select(e => $"{e.Kind} L{e.Level} {e.Target} {e.Actor}: {e.Detail}"));
}

/// <summary>
/// The seeds' escalation (primary 5 min → secondary 15 min → manager) through the real server,
/// real receivers (HTTP and SMTP) and a fake clock, once on SQLite and once on PostgreSQL. The
/// clock starts on Monday 2 November 2026, 09:00 UTC: alice is on call on primary, bob on secondary.
/// </summary>
public abstract class EscalationTests : IAsyncLifetime
{
    private readonly SmtpListener smtp = new();
    private NotificationReceiver receiver = null!;
    private TestServer server = null!;

    protected RecordingObserver Observer { get; } = new();

    protected abstract Task<string?> DatabaseAsync();

    private string Config => $$"""
        channels:
          - name: mail
            type: email
            smarthost: 127.0.0.1:{{smtp.Port}}
            from: vigil@example.com
            to: oncall@example.com
            require_tls: false
          - name: phone
            type: sms
            url: {{receiver.Url}}/twilio
            account_sid: AC123
            auth_token: tok
            from: '+15550001'
            to: '+15550002'
        paging:
          email_channel: mail
          sms_channel: phone
          external_url: https://vigil.example.com
        contacts:
          - name: manager
            webhook: {{receiver.Url}}/manager
        schedules:
          - name: primary
            time_zone: UTC
            layers:
              - rotation: weekly
                handoff: mon 09:00
                start: 2026-11-02
                participants: [alice]
          - name: secondary
            time_zone: UTC
            layers:
              - rotation: weekly
                handoff: mon 09:00
                start: 2026-11-02
                participants: [bob]
        escalation_policies:
          - name: default
            levels:
              - targets: [{schedule: primary}]
                delay: 5m
              - targets: [{schedule: secondary}]
                delay: 15m
              - targets: [{contact: manager}]
        """;

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), Config, services => services.AddSingleton<IPageObserver>(Observer));
        foreach (var name in new[] { "alice", "bob" })
        {
            await server.CreateUserAsync(name, Role.Operator);
            await AddMethodAsync(name, "webhook", $"{receiver.Url}/{name}");
        }
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        await smtp.DisposeAsync();
    }

    private async Task<int> AddMethodAsync(string user, string type, string address)
    {
        var response = await server.Http.PostAsJsonAsync($"/api/users/{user}/contact-methods", new { type, address });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private async Task StartPageAsync(string subject)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var paging = scope.ServiceProvider.GetRequiredService<IPaging>();
        await paging.StartAsync(db, new PageRequest(subject, "default", "INC-2026-001 P1 checkout: High error rate", "Error rate 7% over 5 minutes",
            "P1", "checkout", "https://vigil.example.com/incidents/1"), server.Clock.GetUtcNow(), CancellationToken.None);
        await db.SaveChangesAsync();
    }

    private List<NotificationReceiver.Received> To(string path) => [.. receiver.Requests.Where(r => r.Path == path)];

    private Task UntilReceivedAsync(string path) =>
        UntilAsync(() => Task.FromResult(To(path).Count > 0), () => Task.FromResult($"requests: {string.Join(", ", receiver.Requests.Select(r => r.Path))}\nevents:\n{Observer.Timeline}"));

    private static JsonElement Alert(NotificationReceiver.Received request) =>
        JsonDocument.Parse(request.Body).RootElement.GetProperty("alerts")[0];

    private Task<List<string>> QueuedChannelsAsync() =>
        server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Id).Select(m => m.Channel).ToListAsync());

    private Task<StoredPage> PageAsync(string subject) =>
        server.QueryAsync(db => db.Set<StoredPage>().AsNoTracking().SingleAsync(p => p.Subject == subject));

    [Fact]
    public async Task Unacknowledged_page_escalates_after_five_minutes_and_the_signed_link_stops_it()
    {
        await StartPageAsync("incident:1");

        await UntilReceivedAsync("/alice");
        var toAlice = Alert(To("/alice").Single());
        Assert.Equal("INC-2026-001 P1 checkout: High error rate", toAlice.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.StartsWith("https://vigil.example.com/respond/", toAlice.GetProperty("annotations").GetProperty("acknowledge_url").GetString(), StringComparison.Ordinal);
        Assert.Contains("Error rate 7% over 5 minutes", toAlice.GetProperty("labels").GetProperty("page_text").GetString(), StringComparison.Ordinal);

        server.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, (await PageAsync("incident:1")).Level);
        Assert.Empty(To("/bob"));

        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await UntilReceivedAsync("/bob");
        var ack = Alert(To("/bob").Single()).GetProperty("annotations").GetProperty("acknowledge_url").GetString()!;
        var path = new Uri(ack).AbsolutePath;

        var shown = await server.Anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("Acknowledge as bob", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(PageStatus.Triggered, (await PageAsync("incident:1")).Status);
        var followed = await server.Anonymous.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);

        var page = await PageAsync("incident:1");
        Assert.Equal((PageStatus.Acknowledged, "bob (link)", (DateTimeOffset?)null), (page.Status, page.AcknowledgedBy, page.NextEscalationAt));
        server.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.DoesNotContain(await QueuedChannelsAsync(), c => c.Contains("manager", StringComparison.Ordinal));
        Assert.Equal(
            [(PageEventKind.Paged, 1, "alice"), (PageEventKind.Escalated, 2, null), (PageEventKind.Paged, 2, "bob"), (PageEventKind.Acknowledged, 2, null)],
            Observer.Events.Select(e => (e.Kind, e.Level, e.Target)).ToList());
        Assert.Equal("bob (link)", Observer.Events.Last().Actor);
        var audit = (await server.AuditAsync()).Last();
        Assert.Equal(("acknowledge", "page", "incident:1"), (audit.Action, audit.Resource, audit.ResourceId));

        // A second use of the link changes nothing more.
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.PostAsync(path, null)).StatusCode);
        Assert.Equal(4, Observer.Events.Count);
    }

    [Fact]
    public async Task Nobody_acknowledging_pages_the_manager_after_twenty_minutes_and_then_the_policy_is_exhausted()
    {
        await StartPageAsync("incident:2");
        await UntilReceivedAsync("/alice");
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await UntilReceivedAsync("/bob");
        server.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Empty(To("/manager"));
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await UntilReceivedAsync("/manager");
        await UntilAsync(async () => (await PageAsync("incident:2")).Status == PageStatus.Exhausted, () => Task.FromResult(Observer.Timeline));
        Assert.Equal(PageEventKind.Exhausted, Observer.Events.Last().Kind);
    }

    [Fact]
    public async Task Personal_rules_send_the_sms_at_once_and_the_email_two_minutes_later()
    {
        await server.CreateUserAsync("carol", Role.Operator);
        var sms = await AddMethodAsync("carol", "sms", "+15557654321");
        var email = await AddMethodAsync("carol", "email", "carol@example.com");
        var rules = await server.Http.PutAsJsonAsync("/api/users/carol/notification-rules",
            new object[] { new { contact_method_id = sms, delay = "0s" }, new { contact_method_id = email, delay = "2m" } });
        Assert.True(rules.IsSuccessStatusCode, await rules.Content.ReadAsStringAsync());
        var policy = await server.Http.PostAsJsonAsync("/api/escalation-policies", new { name = "carol-only", levels = new[] { new { targets = new[] { new { user = "carol" } } } } });
        Assert.Equal(HttpStatusCode.Created, policy.StatusCode);

        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            await scope.ServiceProvider.GetRequiredService<IPaging>().StartAsync(db,
                new PageRequest("incident:3", "carol-only", "Disk full on db-1", "", "P2", null, null), server.Clock.GetUtcNow(), CancellationToken.None);
            await db.SaveChangesAsync();
        }

        await UntilReceivedAsync("/twilio/2010-04-01/Accounts/AC123/Messages.json");
        var form = Encoding.UTF8.GetString(To("/twilio/2010-04-01/Accounts/AC123/Messages.json").Single().Body);
        Assert.Contains("To=%2B15557654321", form, StringComparison.Ordinal);
        Assert.Contains("Disk+full+on+db-1", form, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);

        Advance(server, TimeSpan.FromMinutes(2)); // wakes the sender too: a poll timer set after the clock moved would wait another second of fake time
        await UntilAsync(() => Task.FromResult(smtp.Messages.Count == 1));
        var mail = smtp.Messages.Single();
        Assert.Equal(["carol@example.com"], mail.To);
        Assert.Contains("Subject: Disk full on db-1", mail.Data, StringComparison.Ordinal);
        Assert.Contains("https://vigil.example.com/respond/", mail.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acknowledging_through_the_api_cancels_the_personal_rules_not_yet_due()
    {
        var email = await AddMethodAsync("alice", "email", "alice@example.com");
        var methods = await server.GetJsonAsync<JsonElement>("/api/users/alice/contact-methods");
        var webhook = methods.GetProperty("contact_methods")[0].GetProperty("id").GetInt32();
        var rules = await server.Http.PutAsJsonAsync("/api/users/alice/notification-rules",
            new object[] { new { contact_method_id = webhook }, new { contact_method_id = email, delay = "2m" } });
        Assert.True(rules.IsSuccessStatusCode, await rules.Content.ReadAsStringAsync());

        await StartPageAsync("incident:4");
        await UntilReceivedAsync("/alice");
        var acked = await server.Http.PostAsync("/api/pages/incident:4/ack", null);
        Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
        Assert.Equal("acknowledged", (await acked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        server.Clock.Advance(TimeSpan.FromMinutes(10));
        var messages = await server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().ToListAsync());
        Assert.Equal(OutboxStatus.Skipped, messages.Single(m => m.Channel == PageChannels.ForUser(email)).Status);
        Assert.Empty(smtp.Messages);
        Assert.Empty(To("/bob"));

        var resolved = await server.Http.PostAsync("/api/pages/incident:4/resolve", null);
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal([PageEventKind.Acknowledged, PageEventKind.Resolved], Observer.Events.Where(e => e.Actor is not null).Select(e => e.Kind).ToList());
        Assert.Equal(TestServer.AdminUsername, Observer.Events.Last().Actor);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PostAsync("/api/pages/incident:999/ack", null)).StatusCode);
    }

    [Fact]
    public async Task Vigil_page_ack_from_the_cli_acknowledges_and_exits_1_for_an_unknown_subject()
    {
        await StartPageAsync("incident:7");
        await UntilReceivedAsync("/alice");
        var token = (await TestServer.CreateTokenAsync(server.Http, "cli", Role.Operator)).Token;

        async Task<(int Exit, string Output)> RunAsync(params string[] args)
        {
            var output = new StringWriter();
            var exit = await Vigil.Cli.CliRunner.RunAsync(new System.CommandLine.RootCommand { Vigil.Cli.PageCommand.Create() },
                [.. args, "--server", server.BaseAddress.ToString(), "--token", token], output, new StringWriter());
            return (exit, output.ToString());
        }

        Assert.Contains("incident:7               triggered", (await RunAsync("page", "list")).Output, StringComparison.Ordinal);
        var (exit, text) = await RunAsync("page", "ack", "incident:7");
        Assert.Equal((0, "incident:7: acknowledged by test-admin\n"), (exit, text.Replace("\r", "", StringComparison.Ordinal)));
        Assert.Equal(PageStatus.Acknowledged, (await PageAsync("incident:7")).Status);
        Assert.Equal(1, (await RunAsync("page", "ack", "incident:404")).Exit);
    }

    [Fact]
    public async Task The_console_lists_open_pages_and_acknowledges_with_a_button()
    {
        await StartPageAsync("incident:8");
        var session = await server.SignInAsync(TestServer.AdminUsername, TestServer.AdminPassword);
        var id = (await PageAsync("incident:8")).Id;

        Assert.Contains("data-page=\"incident:8\" data-status=\"triggered\"", await session.GetStringAsync("/oncall/pages"), StringComparison.Ordinal);
        var posted = await TestServer.PostFormAsync(session, "/oncall/pages", $"ack-{id}", []);

        Assert.True(posted.IsSuccessStatusCode, $"{(int)posted.StatusCode}");
        Assert.Contains("data-page=\"incident:8\" data-status=\"acknowledged\"", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var page = await PageAsync("incident:8");
        Assert.Equal((PageStatus.Acknowledged, TestServer.AdminUsername), (page.Status, page.AcknowledgedBy));
        Assert.Equal(("acknowledge", "page", "incident:8"), (await server.AuditAsync()).Select(e => (e.Action, e.Resource, e.ResourceId)).Last());
    }

    [Fact]
    public async Task A_restart_mid_escalation_keeps_the_schedule_and_pages_what_fell_due_while_down()
    {
        await StartPageAsync("incident:5");
        await UntilReceivedAsync("/alice");

        server = await server.RestartAsync(TimeSpan.FromMinutes(6));

        await UntilReceivedAsync("/bob");
        var page = await PageAsync("incident:5");
        // Level 2 was due at 09:05 and is measured from then, not from the restart.
        Assert.Equal((2, server.Clock.GetUtcNow().AddMinutes(-1).AddMinutes(15)), (page.Level + 1, page.NextEscalationAt!.Value));
    }

    [Fact]
    public async Task A_forged_or_expired_link_changes_nothing()
    {
        await StartPageAsync("incident:6");
        await UntilReceivedAsync("/alice");
        var path = new Uri(Alert(To("/alice").Single()).GetProperty("annotations").GetProperty("acknowledge_url").GetString()!).AbsolutePath;

        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.PostAsync(path[..^4] + "AAAA", null)).StatusCode);
        server.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.PostAsync(path, null)).StatusCode);
        Assert.NotEqual(PageStatus.Acknowledged, (await PageAsync("incident:6")).Status);
    }

    [Fact]
    public async Task Bad_policies_and_contact_methods_are_refused_naming_the_field_and_change_nothing()
    {
        async Task AssertRefusedAsync(HttpResponseMessage response, string field)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await AssertRefusedAsync(await server.Http.PostAsJsonAsync("/api/escalation-policies",
            new { name = "empty-level", levels = new object[] { new { targets = Array.Empty<object>(), delay = "5m" }, new { targets = new[] { new { user = "alice" } } } } }), "levels[0].targets");
        await AssertRefusedAsync(await server.Http.PostAsJsonAsync("/api/escalation-policies",
            new { name = "ghost", levels = new[] { new { targets = new[] { new { schedule = "nope" } } } } }), "levels[0].targets[0].schedule");
        await AssertRefusedAsync(await server.Http.PostAsJsonAsync("/api/escalation-policies",
            new { name = "no-delay", levels = new[] { new { targets = new[] { new { user = "alice" } } }, new { targets = new[] { new { user = "bob" } } } } }), "levels[0].delay");
        await AssertRefusedAsync(await server.Http.PostAsJsonAsync("/api/users/alice/contact-methods", new { type = "sms", address = "0151 123" }), "address");
        await AssertRefusedAsync(await server.Http.PutAsJsonAsync("/api/users/alice/notification-rules", new object[] { new { contact_method_id = 999 } }), "[0].contact_method_id");

        Assert.Equal(["default"], (await server.GetJsonAsync<List<JsonElement>>("/api/escalation-policies")).Select(p => p.GetProperty("name").GetString()));
        Assert.Single((await server.GetJsonAsync<JsonElement>("/api/users/alice/contact-methods")).GetProperty("contact_methods").EnumerateArray());
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.DeleteAsync("/api/escalation-policies/default")).StatusCode);

        // Someone else's contact methods need oncall.manage.
        var responder = await server.ClientFor(Role.Operator);
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.GetAsync("/api/users/alice/contact-methods")).StatusCode);
    }
}

public sealed class EscalationOnSqlite : EscalationTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class EscalationOnPostgres(PostgresServer postgres) : EscalationTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
