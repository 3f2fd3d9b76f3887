using NodaTime;
using NodaTime.Text;
using Vigil.Configuration;
using Vigil.Features.Alerting.Routing;

namespace Vigil.Tests.Alerting;

/// <summary><c>routing.time_intervals</c> as Alertmanager 0.25 reads and evaluates them (timeinterval/timeinterval.go).</summary>
public sealed class TimeIntervalTests
{
    private static IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> Intervals(string yaml)
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", yaml, new Dictionary<string, string>());
        Assert.Empty(loaded.Errors);
        return TimeIntervals.Build(loaded.Config.Routing.TimeIntervals);
    }

    private static bool In(IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> intervals, string name, string instant) =>
        intervals[name].Any(i => i.Contains(InstantPattern.ExtendedIso.Parse(instant).Value));

    private const string Config = """
        routing:
          time_intervals:
            - name: berlin-business-hours
              time_intervals:
                - weekdays: ['monday:friday']
                  times: [{start_time: '09:00', end_time: '17:00'}]
                  location: Europe/Berlin
            - name: weekends
              time_intervals:
                - weekdays: [saturday, sunday]
            - name: month-end
              time_intervals:
                - days_of_month: ['-3:-1']
            - name: nights-utc
              time_intervals:
                - times: [{start_time: '22:00', end_time: '24:00'}, {start_time: '00:00', end_time: '06:00'}]
            - name: summer-2026
              time_intervals:
                - months: ['june:august']
                  years: ['2026']
        """;

    [Theory]
    // Monday 23 November 2026: Berlin is UTC+1 in winter.
    [InlineData("berlin-business-hours", "2026-11-23T07:59:00Z", false)]
    [InlineData("berlin-business-hours", "2026-11-23T08:00:00Z", true)]
    [InlineData("berlin-business-hours", "2026-11-23T15:59:59Z", true)]
    [InlineData("berlin-business-hours", "2026-11-23T16:00:00Z", false)] // end exclusive
    // Summer (UTC+2): the same local hours are an hour earlier in UTC.
    [InlineData("berlin-business-hours", "2026-07-06T07:00:00Z", true)]
    [InlineData("berlin-business-hours", "2026-07-06T15:00:00Z", false)]
    [InlineData("berlin-business-hours", "2026-11-28T10:00:00Z", false)] // Saturday
    [InlineData("weekends", "2026-11-28T00:00:00Z", true)]
    [InlineData("weekends", "2026-11-29T23:59:59Z", true)]
    [InlineData("weekends", "2026-11-30T00:00:00Z", false)]
    // The last three days: 28-30 November, 26-28 February 2026 (not a leap year).
    [InlineData("month-end", "2026-11-27T12:00:00Z", false)]
    [InlineData("month-end", "2026-11-28T00:00:00Z", true)]
    [InlineData("month-end", "2026-11-30T23:00:00Z", true)]
    [InlineData("month-end", "2026-02-25T12:00:00Z", false)]
    [InlineData("month-end", "2026-02-26T12:00:00Z", true)]
    [InlineData("nights-utc", "2026-11-23T21:59:00Z", false)]
    [InlineData("nights-utc", "2026-11-23T23:30:00Z", true)]
    [InlineData("nights-utc", "2026-11-24T05:59:00Z", true)]
    [InlineData("nights-utc", "2026-11-24T06:00:00Z", false)]
    [InlineData("summer-2026", "2026-06-01T00:00:00Z", true)]
    [InlineData("summer-2026", "2026-09-01T00:00:00Z", false)]
    [InlineData("summer-2026", "2027-07-01T00:00:00Z", false)]
    public void An_instant_is_inside_when_every_field_of_one_period_holds(string name, string instant, bool inside)
    {
        Assert.Equal(inside, In(Intervals(Config), name, instant));
    }

    [Fact]
    public void A_route_is_muted_inside_its_mute_intervals_and_outside_its_active_ones_and_children_do_not_inherit_them()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", Config + """

              route:
                receiver: default
                routes:
                  - matchers: ['team="web"']
                    mute_time_intervals: [weekends]
                    routes:
                      - matchers: ['severity="critical"']
                  - matchers: ['team="db"']
                    active_time_intervals: [berlin-business-hours]
            channels:
              - {name: default, type: webhook, url: 'http://127.0.0.1:9/'}
            """, new Dictionary<string, string>());
        Assert.Empty(loaded.Errors);
        var tree = RouteNode.Build(loaded.Config.Routing.Route)!;
        var intervals = TimeIntervals.Build(loaded.Config.Routing.TimeIntervals);
        var (web, critical, db) = (tree.Routes[0], tree.Routes[0].Routes[0], tree.Routes[1]);
        var saturday = Instant.FromUtc(2026, 11, 28, 10, 0);
        var monday = Instant.FromUtc(2026, 11, 23, 10, 0);

        Assert.True(TimeIntervals.Mutes(web, intervals, saturday));
        Assert.False(TimeIntervals.Mutes(web, intervals, monday));
        Assert.False(TimeIntervals.Mutes(critical, intervals, saturday));
        Assert.True(TimeIntervals.Mutes(db, intervals, saturday));
        Assert.False(TimeIntervals.Mutes(db, intervals, monday));
        Assert.False(TimeIntervals.Mutes(tree, intervals, saturday));
    }

    [Fact]
    public void Mistakes_are_config_errors_at_their_line()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            channels:
              - {name: default, type: webhook, url: 'http://127.0.0.1:9/'}
            routing:
              time_intervals:
                - name: bad
                  time_intervals:
                    - times: [{start_time: '17:00', end_time: '09:00'}, {start_time: '25:00', end_time: '26:00'}]
                      weekdays: [funday, 'friday:monday']
                      days_of_month: ['0', '-1:5']
                      months: ['march:january']
                      location: Mars/Olympus
                - name: bad
              route:
                receiver: default
                mute_time_intervals: [bad]
                routes:
                  - receiver: default
                    active_time_intervals: [office]
            """, new Dictionary<string, string>());

        Assert.Equal(
            [
                "vigil.yaml:7:19: start_time must be before end_time (for a period across midnight, use two ranges: start to 24:00 and 00:00 to end)",
                "vigil.yaml:7:74: \"25:00\" is not a time of day HH:MM (00:00 to 24:00)",
                "vigil.yaml:7:93: \"26:00\" is not a time of day HH:MM (00:00 to 24:00)",
                "vigil.yaml:8:22: \"funday\" is not a valid weekday (sunday to saturday)",
                "vigil.yaml:8:30: start day cannot be after end day",
                "vigil.yaml:9:27: 0 is not a valid day of the month: out of range (1 to 31, or -31 to -1 from the end)",
                "vigil.yaml:9:32: end day must be negative if start day is negative",
                "vigil.yaml:10:20: end month january is before start month march",
                "vigil.yaml:11:21: unknown time zone \"Mars/Olympus\" (an IANA name such as Europe/Berlin, UTC or Local)",
                "vigil.yaml:12:13: time interval \"bad\" is not unique",
                "vigil.yaml:15:26: the root route must not have any mute time intervals",
                "vigil.yaml:18:33: undefined time interval \"office\" used in route (define it under routing.time_intervals)",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }
}
