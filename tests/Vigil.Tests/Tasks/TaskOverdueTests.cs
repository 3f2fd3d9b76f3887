using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Tasks;
using Vigil.Tests.Support;
using static Vigil.Tests.Notifications.DeliveryScenario;

namespace Vigil.Tests.Tasks;

/// <summary>
/// Issue 22, item 3, on a fake clock: seed 002's weekly database vacuum, assigned to the DBA, is due
/// Monday 03:00 with two hours' grace; undone at 05:00 it is overdue, and its alert goes through
/// routing to the DBA's channel (a route on the <c>assignee</c> label); someone else may not
/// complete it; the DBA completes it with evidence and the alert is resolved.
/// </summary>
public abstract class TaskOverdueTests : IAsyncLifetime
{
    private NotificationReceiver receiver = null!;
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
            channels:
              - name: dba-pager
                type: webhook
                url: {{receiver.Url}}/dba
              - name: everyone
                type: webhook
                url: {{receiver.Url}}/everyone
            routing:
              route:
                receiver: everyone
                group_by: [alertname, task]
                group_wait: 30s
                group_interval: 1m
                routes:
                  - matchers: ['assignee="dba"']
                    receiver: dba-pager
            tasks:
              - name: weekly-vacuum
                title: Database vacuum
                cron: "0 3 * * MON"
                time_zone: UTC
                assignee: {user: dba}
                grace: 2h
                runbook: database-vacuum
                checklist: [Run VACUUM ANALYZE, Check table bloat under 10%]
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private async Task<HttpClient> UserAsync(string name, string role)
    {
        await server.CreateUserAsync(name, role);
        var session = await server.SignInAsync(name, "a long enough password");
        return server.WithToken((await TestServer.CreateTokenAsync(session, $"{name}-token", role)).Token);
    }

    private async Task PassAtAsync(DateTimeOffset at)
    {
        server.Clock.SetUtcNow(at);
        await server.Services.GetRequiredService<RaiseTaskAlerts>().RunOnceAsync(CancellationToken.None);
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
    }

    private async Task<string> StateAsync() =>
        (await server.Http.GetFromJsonAsync<JsonElement>("/api/tasks/weekly-vacuum")).GetProperty("state").GetString()!;

    private List<JsonElement> ToDba() => [.. receiver.Requests.Where(r => r.Path == "/dba").Select(r => JsonDocument.Parse(r.Text).RootElement)];

    [Fact]
    public async Task The_weekly_vacuum_goes_overdue_after_its_grace_pages_the_dba_channel_and_completing_it_resolves_the_alert()
    {
        var dba = await UserAsync("dba", Role.Operator);
        var colleague = await UserAsync("carol", Role.Operator);
        var monday = new DateTimeOffset(2026, 11, 9, 3, 0, 0, TimeSpan.Zero);

        await PassAtAsync(monday.AddHours(-1));
        Assert.Equal("upcoming", await StateAsync());
        await PassAtAsync(monday.AddHours(1));
        Assert.Equal("due", await StateAsync());
        await PassAtAsync(monday.AddHours(2).AddSeconds(30));
        Assert.Equal("overdue", await StateAsync());
        await PassAtAsync(monday.AddHours(2).AddSeconds(60));
        await UntilAsync(() => Task.FromResult(ToDba().Count > 0), () => Task.FromResult($"requests: {string.Join(", ", receiver.Requests.Select(r => r.Path))}"));

        var firing = ToDba().Single();
        Assert.Equal("firing", firing.GetProperty("status").GetString());
        var labels = firing.GetProperty("alerts")[0].GetProperty("labels");
        Assert.Equal(("TaskOverdue", "weekly-vacuum", "dba"), (labels.GetProperty("alertname").GetString(), labels.GetProperty("task").GetString(), labels.GetProperty("assignee").GetString()));
        Assert.Equal("database-vacuum", firing.GetProperty("alerts")[0].GetProperty("annotations").GetProperty("runbook").GetString());
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/everyone");

        var notTheirs = await colleague.PostAsJsonAsync("/api/tasks/weekly-vacuum/complete", new { note = "done it for you" });
        Assert.Equal(HttpStatusCode.Forbidden, notTheirs.StatusCode);
        Assert.Equal("application/problem+json", notTheirs.Content.Headers.ContentType?.MediaType);
        Assert.Contains("only the assignee (user dba) or a manager", await notTheirs.Content.ReadAsStringAsync());
        Assert.Equal("overdue", await StateAsync());
        var noEvidence = await dba.PostAsJsonAsync("/api/tasks/weekly-vacuum/complete", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noEvidence.StatusCode);

        server.Clock.SetUtcNow(monday.AddHours(3));
        var done = await dba.PostAsJsonAsync("/api/tasks/weekly-vacuum/complete", new { note = "VACUUM ANALYZE ran in 12 min; bloat 4%", link = "https://wiki.example.com/vacuum/2026-11-09" });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        await PassAtAsync(monday.AddHours(3).AddMinutes(2));
        await UntilAsync(() => Task.FromResult(ToDba().Any(n => n.GetProperty("status").GetString() == "resolved")), () => Task.FromResult($"dba got: {string.Join(" | ", ToDba())}"));

        var task = await server.Http.GetFromJsonAsync<JsonElement>("/api/tasks/weekly-vacuum");
        Assert.Equal("upcoming", task.GetProperty("state").GetString());
        Assert.Equal(monday.AddDays(7), task.GetProperty("next_due_at").GetDateTimeOffset());
        var completion = task.GetProperty("completions")[0];
        Assert.Equal(("dba", "VACUUM ANALYZE ran in 12 min; bloat 4%", monday), (completion.GetProperty("completed_by").GetString(), completion.GetProperty("note").GetString(), completion.GetProperty("due_at").GetDateTimeOffset()));
        var audit = (await server.AuditAsync()).Last(e => e.Resource == "task");
        Assert.Equal(("complete", "weekly-vacuum", "dba"), (audit.Action, audit.ResourceId, audit.Username));
    }

    [Fact]
    public async Task A_task_with_an_unparsable_rrule_is_refused_naming_the_field_and_nothing_is_saved()
    {
        var response = await server.Http.PostAsJsonAsync("/api/tasks", new { name = "patching", rrule = "FREQ=SOMETIMES;BYDAY=XX", start = "2026-11-10T09:00", assignee = new { role = "manager" } });
        var list = await server.Http.GetFromJsonAsync<JsonElement>("/api/tasks");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("\"FREQ=SOMETIMES;BYDAY=XX\" is not an RFC 5545 RRULE", problem.GetProperty("errors").GetProperty("rrule")[0].GetString());
        Assert.Equal(["weekly-vacuum"], list.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
    }

    [Fact]
    public async Task A_monthly_rrule_task_for_a_role_lists_its_due_times_in_the_calendar_feed_and_under_my_tasks()
    {
        var manager = await UserAsync("maria", Role.Manager);
        var created = await server.Http.PostAsJsonAsync("/api/tasks", new
        {
            name = "cost-review",
            title = "Cost review",
            rrule = "FREQ=MONTHLY;BYDAY=1TU",
            start = "2026-11-03T10:00",
            time_zone = "Europe/Berlin",
            assignee = new { role = "manager" },
            checklist = new[] { "Review and remove unused resources", "Right-size over-provisioned instances" },
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        var mine = await manager.GetFromJsonAsync<JsonElement>("/api/tasks?mine=true");
        var feed = await manager.GetStringAsync("/api/tasks/calendar.ics");

        Assert.Equal(["cost-review"], mine.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
        // The first Tuesday of November 2026 is the 3rd, of December the 1st; 10:00 in Berlin is 09:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero), mine[0].GetProperty("next_due_at").GetDateTimeOffset());
        Assert.Contains("DTSTART:20261103T090000Z", feed);
        Assert.Contains("BEGIN:VCALENDAR", feed);
        Assert.Contains("SUMMARY:Cost review (role manager)", feed);
        Assert.Contains("DTSTART:20261201T090000Z", feed);
        Assert.Contains("SUMMARY:Database vacuum (dba)", feed);
    }
}

public sealed class TaskOverdueOnSqlite : TaskOverdueTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class TaskOverdueOnPostgres(PostgresServer postgres) : TaskOverdueTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
