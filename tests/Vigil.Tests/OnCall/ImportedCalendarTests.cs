using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Tests.Notifications;
using Vigil.Tests.Support;

namespace Vigil.Tests.OnCall;

/// <summary>
/// <c>rotation: ical</c> layers: an iCalendar file or URL read by the running server, once on SQLite
/// and once on PostgreSQL. The calendar URL is a real HTTP server on 127.0.0.1; the server's clock
/// (fake) starts on Monday 2 November 2026, 09:00 UTC.
/// </summary>
public abstract class ImportedCalendarTests : IAsyncLifetime
{
    /// <summary>
    /// Two fortnightly events, Monday 09:00 to Monday 09:00 Berlin time: alice from 19 October, bob
    /// (by his attendee address) from 26 October. Summer time ends on 25 October 2026 and starts on
    /// 28 March 2027, so the UTC hand-off moves from 07:00 to 08:00 and back.
    /// </summary>
    private const string BerlinRota = """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Vigil tests//EN
        BEGIN:VEVENT
        UID:alice@rota.test
        DTSTAMP:20261001T000000Z
        DTSTART;TZID=Europe/Berlin:20261019T090000
        DTEND;TZID=Europe/Berlin:20261026T090000
        RRULE:FREQ=WEEKLY;INTERVAL=2
        SUMMARY:On call: alice
        END:VEVENT
        BEGIN:VEVENT
        UID:bob@rota.test
        DTSTAMP:20261001T000000Z
        DTSTART;TZID=Europe/Berlin:20261026T090000
        DTEND;TZID=Europe/Berlin:20261102T090000
        RRULE:FREQ=WEEKLY;INTERVAL=2
        ATTENDEE;CN=Bob Builder:mailto:bob@example.com
        SUMMARY:Primary on-call
        END:VEVENT
        END:VCALENDAR
        """;

    private static string OneEvent(string who) => $"""
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Vigil tests//EN
        BEGIN:VEVENT
        UID:week@rota.test
        DTSTAMP:20261001T000000Z
        DTSTART:20261101T000000Z
        DTEND:20261115T000000Z
        SUMMARY:{who}
        END:VEVENT
        END:VCALENDAR
        """;

    private TestServer? server;
    private NotificationReceiver? calendarHost;

    protected abstract Task<string?> DatabaseAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
        if (calendarHost is not null)
        {
            await calendarHost.DisposeAsync();
        }
    }

    private async Task<string?> OnCallAsync(string at)
    {
        var answers = await server!.GetJsonAsync<List<JsonElement>>($"/api/oncall?schedule=rota&at={Uri.EscapeDataString(at)}");
        var onCall = Assert.Single(answers).GetProperty("on_call");
        return onCall.ValueKind == JsonValueKind.Null ? null : onCall.GetProperty("user").GetString();
    }

    private Task<string?> NowAsync() => OnCallAsync(server!.Clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ"));

    [Fact]
    public async Task A_calendar_file_with_a_weekly_rule_in_Berlin_keeps_its_local_hand_off_across_both_daylight_saving_changes()
    {
        server = await TestServer.StartAsync(await DatabaseAsync(), "services: []\n");
        const string Config = """
            schedules:
              - name: rota
                time_zone: Europe/Berlin
                layers:
                  - {name: calendar, rotation: ical, file: rota.ics, refresh: 10m}
            """;
        var calendarFile = Path.Combine(server.DataDirectory, "rota.ics"); // relative to the config file's directory
        await server.WriteConfigAsync(Config);

        // A file that is missing, or not a calendar, is a config error with its line: nothing applied.
        var missing = await server.Http.PostAsync("/-/reload", null);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains($"vigil.yaml:5:48: no such file: {calendarFile}", await missing.Content.ReadAsStringAsync());
        await File.WriteAllTextAsync(calendarFile, "not a calendar");
        var garbled = await server.Http.PostAsync("/-/reload", null);
        Assert.Contains("vigil.yaml:5:48: cannot read", await garbled.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/schedules/rota")).StatusCode);

        // An empty calendar: the schedule exists with nobody on call.
        await File.WriteAllTextAsync(calendarFile, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Vigil tests//EN\r\nEND:VCALENDAR\r\n");
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsync("/-/reload", null)).StatusCode);
        Assert.Null(await OnCallAsync("2026-10-26T08:00:00Z"));

        // The rota is written; the next refresh reads it.
        await File.WriteAllTextAsync(calendarFile, BerlinRota);
        server.Clock.Advance(TimeSpan.FromMinutes(10));
        await DeliveryScenario.UntilAsync(async () => await OnCallAsync("2026-10-26T08:00:00Z") is not null);

        Assert.Null(await OnCallAsync("2026-10-19T06:59:00Z"));       // 08:59 summer time, before the first event
        Assert.Equal("alice", await OnCallAsync("2026-10-19T07:00:00Z")); // 09:00 summer time
        Assert.Equal("alice", await OnCallAsync("2026-10-26T07:30:00Z")); // 08:30 winter time: still alice
        Assert.Equal("bob", await OnCallAsync("2026-10-26T08:00:00Z"));   // 09:00 winter time; bob by his attendee address
        Assert.Equal("alice", await OnCallAsync("2026-11-02T08:00:00Z"));
        Assert.Equal("alice", await OnCallAsync("2027-03-29T06:30:00Z")); // 08:30 summer time again (clocks went forward on 28 March)
        Assert.Equal("bob", await OnCallAsync("2027-03-29T07:00:00Z"));   // 09:00 summer time

        var shifts = await server.GetJsonAsync<List<JsonElement>>(
            "/api/schedules/rota/shifts?from=2026-10-25T00:00:00Z&to=2026-10-27T00:00:00Z");
        Assert.Equal(
            [
                ("alice", new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 26, 8, 0, 0, TimeSpan.Zero), "calendar"),
                ("bob", new DateTimeOffset(2026, 10, 26, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 27, 0, 0, 0, TimeSpan.Zero), "calendar"),
            ],
            shifts.Select(s => (s.GetProperty("user").GetString(), s.GetProperty("start").GetDateTimeOffset(), s.GetProperty("end").GetDateTimeOffset(),
                s.GetProperty("source").GetString())).ToList());
    }

    [Fact]
    public async Task A_calendar_url_is_fetched_again_every_refresh_and_a_failed_fetch_keeps_the_last_events()
    {
        calendarHost = await NotificationReceiver.StartAsync();
        calendarHost.ResponseBody = OneEvent("On call: alice");
        server = await TestServer.StartAsync(await DatabaseAsync(), $"""
            schedules:
              - name: rota
                time_zone: Europe/Berlin
                layers:
                  - {"{"}rotation: ical, url: "{calendarHost.Url}/team.ics", refresh: 5m{"}"}
            """);
        await DeliveryScenario.UntilAsync(async () => await NowAsync() == "alice");
        Assert.Equal("/team.ics", Assert.Single(calendarHost.Requests).Path);

        // The calendar changes; Vigil sees it at the next refresh, not before.
        calendarHost.ResponseBody = OneEvent("carol");
        Assert.Equal("alice", await NowAsync());
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await DeliveryScenario.UntilAsync(async () => await NowAsync() == "carol");

        // The server fails, then drops the connection: the events last read stay.
        calendarHost.Status = 500;
        calendarHost.ResponseBody = OneEvent("dave");
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await DeliveryScenario.UntilAsync(() => Task.FromResult(calendarHost.Requests.Count >= 3));
        calendarHost.Behaviour = NotificationReceiver.Mode.Close;
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        // The fourth fetch starts only after the third (the 500) was handled.
        await DeliveryScenario.UntilAsync(() => Task.FromResult(calendarHost.Requests.Count >= 4));
        Assert.Equal("carol", await NowAsync());

        // Back up: the next refresh reads the calendar again.
        calendarHost.Behaviour = NotificationReceiver.Mode.Answer;
        calendarHost.Status = 200;
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await DeliveryScenario.UntilAsync(async () => await NowAsync() == "dave");
    }

    [Fact]
    public async Task A_schedule_created_through_the_API_reads_its_calendar_url_but_may_not_name_a_file_on_the_server()
    {
        calendarHost = await NotificationReceiver.StartAsync();
        calendarHost.ResponseBody = OneEvent("On call: erin");
        server = await TestServer.StartAsync(await DatabaseAsync());

        var refused = await server.Http.PostAsync("/api/schedules", new StringContent("""
            {"name": "rota", "time_zone": "UTC", "layers": [{"rotation": "ical", "file": "/etc/hostname"}]}
            """, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("layers[0].file", out _));

        var created = await server.Http.PostAsync("/api/schedules", new StringContent($$"""
            {"name": "rota", "time_zone": "UTC", "layers": [{"rotation": "ical", "url": "{{calendarHost.Url}}/x.ics"}]}
            """, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await DeliveryScenario.UntilAsync(async () => await NowAsync() == "erin");
    }
}

public sealed class ImportedCalendarOnSqlite : ImportedCalendarTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class ImportedCalendarOnPostgres(PostgresServer postgres) : ImportedCalendarTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
