using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.OnCall;

/// <summary>A schedule's iCalendar feed, fetched the way a calendar app does: no bearer header, the secret in the URL.</summary>
public sealed class CalendarFeedTests
{
    [Fact]
    public async Task Feed_answers_only_the_current_secret_with_rfc5545_events_in_utc_and_stable_uids()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            schedules:
              - name: primary
                description: x
                time_zone: Europe/Berlin
                layers:
                  - {name: "nights, weekends; and more", rotation: daily, handoff: "09:00", start: 2026-11-01, participants: [alice, bob]}
            """);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.GetAsync("/api/schedules/primary/calendar.ics")).StatusCode);

        var first = await (await server.Http.PostAsync("/api/schedules/primary/feed", null)).Content.ReadFromJsonAsync<JsonElement>();
        var url = new Uri(first.GetProperty("url").GetString()!);
        var response = await server.Anonymous.GetAsync(url.PathAndQuery + "&weeks=1");
        var ics = await response.Content.ReadAsStringAsync();
        var again = await server.Anonymous.GetStringAsync(url.PathAndQuery + "&weeks=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", ics);
        Assert.EndsWith("END:VCALENDAR\r\n", ics);
        Assert.All(ics.Split("\r\n"), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, line));
        // 3 November 09:00 CET is 08:00 UTC; the layer's name is escaped (RFC 5545 3.3.11) inside a folded line.
        Assert.Contains("DTSTART:20261103T080000Z\r\nDTEND:20261104T080000Z\r\n", ics);
        Assert.Contains("nights\\, weekends\\; and", ics.Replace("\r\n ", "", StringComparison.Ordinal));
        Assert.Equal(
            ics.Split("\r\n").Where(l => l.StartsWith("UID:", StringComparison.Ordinal)),
            again.Split("\r\n").Where(l => l.StartsWith("UID:", StringComparison.Ordinal)));
        // The past week and the next (26 October to 9 November, 09:00 UTC), but the layer starts on 1 November:
        // the turns of 1 to 8 November and the first hour of the one starting on the 9th.
        Assert.Equal(9, ics.Split("BEGIN:VEVENT").Length - 1);
        Assert.Equal("feed_token", (await server.AuditAsync()).Last().Action);

        await server.Http.PostAsync("/api/schedules/primary/feed", null);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.GetAsync(url.PathAndQuery)).StatusCode);
    }
}
