using System.Net.Http.Json;
using System.Text.Json;
using Ical.Net;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.OnCall;

/// <summary>
/// The feeds read by a standard iCalendar parser (Ical.Net), as calendar apps read them: every
/// event is one of the computed shifts, at the same instants, and nothing else.
/// </summary>
public sealed class CalendarParserTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: """
        schedules:
          - name: primary
            time_zone: Europe/Berlin
            layers:
              - {name: week, rotation: daily, handoff: "09:00", start: 2026-10-20, participants: [alice, bob]}
            overrides:
              - {user: carol, start: 2026-11-04T12:00, end: 2026-11-04T18:00}
          - name: db
            time_zone: America/New_York
            layers:
              - {rotation: weekly, handoff: "mon 08:00", start: 2026-10-05, participants: [bob, alice]}
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static List<(string Summary, DateTime Start, DateTime End)> Parse(string ics) =>
        [.. Calendar.Load(ics)!.Events.Select(e => (e.Summary!, e.DtStart!.AsUtc, e.DtEnd!.AsUtc)).OrderBy(e => e.Item2).ThenBy(e => e.Item1, StringComparer.Ordinal)];

    private async Task<List<(string Summary, DateTime Start, DateTime End)>> ShiftsAsync(string schedule, Func<JsonElement, bool> keep)
    {
        var from = server.Clock.GetUtcNow().AddDays(-7).ToString("O");
        var to = server.Clock.GetUtcNow().AddDays(14).ToString("O");
        var shifts = await server.GetJsonAsync<List<JsonElement>>($"/api/schedules/{schedule}/shifts?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}");
        return [.. shifts.Where(keep).Select(s => ($"On call: {s.GetProperty("user").GetString()} ({schedule})",
            s.GetProperty("start").GetDateTimeOffset().UtcDateTime, s.GetProperty("end").GetDateTimeOffset().UtcDateTime))];
    }

    [Fact]
    public async Task A_schedules_feed_parses_with_a_standard_parser_and_matches_the_computed_shifts()
    {
        var link = await (await server.Http.PostAsync("/api/schedules/primary/feed", null)).Content.ReadFromJsonAsync<JsonElement>();
        var ics = await server.Anonymous.GetStringAsync(new Uri(link.GetProperty("url").GetString()!).PathAndQuery + "&weeks=2");

        var events = Parse(ics);
        var shifts = await ShiftsAsync("primary", _ => true);

        Assert.Equal(shifts.OrderBy(s => s.Start).ToList(), events);
        // The feed starts a week back (cut at that instant); the 09:00 Berlin hand-off is 08:00 UTC in winter time.
        Assert.Equal(new DateTime(2026, 10, 26, 9, 0, 0, DateTimeKind.Utc), events[0].Start);
        Assert.Contains(events, e => e.Start == new DateTime(2026, 10, 27, 8, 0, 0, DateTimeKind.Utc));
        Assert.Contains(events, e => e.Summary == "On call: carol (primary)" && e.Start == new DateTime(2026, 11, 4, 11, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public async Task A_users_feed_holds_their_shifts_of_every_schedule_and_only_theirs()
    {
        await server.CreateUserAsync("alice", Role.Operator);
        var link = await (await server.Http.PostAsync("/api/users/alice/feed", null)).Content.ReadFromJsonAsync<JsonElement>();
        var path = new Uri(link.GetProperty("url").GetString()!).PathAndQuery;

        var events = Parse(await server.Anonymous.GetStringAsync(path + "&weeks=2"));

        var expected = (await ShiftsAsync("primary", s => s.GetProperty("user").GetString() == "alice"))
            .Concat(await ShiftsAsync("db", s => s.GetProperty("user").GetString() == "alice"))
            .OrderBy(s => s.Start).ThenBy(s => s.Summary, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, events);
        Assert.Contains(events, e => e.Summary.EndsWith("(db)", StringComparison.Ordinal));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Anonymous.GetAsync("/api/users/alice/calendar.ics?token=vcal_wrong")).StatusCode);
        var operatorClient = await server.ClientFor(Role.Operator);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await operatorClient.PostAsync("/api/users/alice/feed", null)).StatusCode);
    }
}
