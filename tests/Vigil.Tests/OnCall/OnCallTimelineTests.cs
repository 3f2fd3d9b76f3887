using NodaTime;
using NodaTime.Text;
using Vigil.Configuration;
using Vigil.Features.OnCall;
using Duration = NodaTime.Duration;

namespace Vigil.Tests.OnCall;

/// <summary>The "who is on call" decision across layers, restrictions, overrides and the 2026 daylight-saving changes.</summary>
public sealed class OnCallTimelineTests
{
    private static Instant Utc(string text) => InstantPattern.ExtendedIso.Parse(text).GetValueOrThrow();

    private static Schedule Build(ScheduleDefinition definition)
    {
        var errors = new List<FieldError>();
        var schedule = ScheduleRules.Build(definition, "", errors, (_, _) => []);
        Assert.True(schedule is not null, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Reason}")));
        return schedule;
    }

    private static Schedule Daily(string zone, string handoff, params string[] participants) => Build(new()
    {
        Name = "primary",
        TimeZone = zone,
        Layers = [new() { Name = "base", Rotation = "daily", Handoff = handoff, Start = "2026-01-01", Participants = [.. participants] }],
    });

    private static string Show(IEnumerable<Shift> shifts) =>
        string.Join("\n", shifts.Select(s => $"{s.User} {s.Start} - {s.End} ({s.Length.TotalHours}h, {s.Source})"));

    // Start of the shift (UTC) in which the clocks change, and its expected length in hours.
    [Theory]
    [InlineData("Europe/Berlin", "2026-03-28T08:00:00Z", 23)] // CET -> CEST on Sunday 29 March
    [InlineData("Europe/Berlin", "2026-10-24T07:00:00Z", 25)] // CEST -> CET on Sunday 25 October
    [InlineData("America/New_York", "2026-03-07T14:00:00Z", 23)] // EST -> EDT on Sunday 8 March
    [InlineData("America/New_York", "2026-10-31T13:00:00Z", 25)] // EDT -> EST on Sunday 1 November
    [InlineData("Australia/Sydney", "2026-04-03T22:00:00Z", 25)] // AEDT -> AEST on Sunday 5 April
    [InlineData("Australia/Sydney", "2026-10-02T23:00:00Z", 23)] // AEST -> AEDT on Sunday 4 October
    public void Daily_handoff_stays_at_nine_local_so_the_shift_over_the_change_is_an_hour_shorter_or_longer(string zone, string shiftStart, int hours)
    {
        var schedule = Daily(zone, "09:00", "alice", "bob");
        var start = Utc(shiftStart);

        var shift = OnCallTimeline.WhoIsOnCall(schedule, start + Duration.FromHours(1))!;

        Assert.Equal(start, shift.Start);
        Assert.Equal(hours, shift.Length.TotalHours);
        Assert.Equal(new LocalTime(9, 0), shift.Start.InZone(schedule.Zone).TimeOfDay);
        Assert.Equal(new LocalTime(9, 0), shift.End.InZone(schedule.Zone).TimeOfDay);
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Sydney")]
    public void A_year_of_daily_shifts_has_no_gap_no_overlap_and_every_handoff_at_nine_local(string zone)
    {
        var schedule = Daily(zone, "09:00", "alice", "bob", "carol");
        var shifts = OnCallTimeline.Shifts(schedule, Utc("2026-01-02T00:00:00Z"), Utc("2027-01-01T00:00:00Z"));

        var lengths = shifts.Skip(1).SkipLast(1).Select(s => s.Length.TotalHours).ToList();
        Assert.Equal(363, lengths.Count);
        Assert.Equal(361, lengths.Count(h => h == 24));
        Assert.Single(lengths, 23.0);
        Assert.Single(lengths, 25.0);
        for (var i = 1; i < shifts.Count; i++)
        {
            Assert.Equal(shifts[i - 1].End, shifts[i].Start);
            Assert.Equal(new LocalTime(9, 0), shifts[i].Start.InZone(schedule.Zone).TimeOfDay);
            Assert.NotEqual(shifts[i - 1].User, shifts[i].User);
        }
    }

    // A hand-off at 02:30, which the spring-forward night skips and the fall-back night has twice.
    [Theory]
    [InlineData("Europe/Berlin", "2026-03-29T01:00:00Z", 23.5, 23.5)] // skipped: at 03:00 CEST, the moment the clocks jump
    [InlineData("America/New_York", "2026-03-08T07:00:00Z", 23.5, 23.5)] // skipped: at 03:00 EDT
    [InlineData("Europe/Berlin", "2026-10-25T00:30:00Z", 24, 25)] // twice: the earlier, 02:30 CEST
    [InlineData("America/New_York", "2026-11-01T05:30:00Z", 24, 25)] // 01:30 twice: the earlier, 01:30 EDT
    public void A_handoff_at_a_local_time_that_is_skipped_or_repeated_follows_the_documented_rule(
        string zone, string handoffOnChangeDay, double hoursBefore, double hoursAfter)
    {
        var schedule = Daily(zone, zone == "America/New_York" && handoffOnChangeDay.StartsWith("2026-11", StringComparison.Ordinal) ? "01:30" : "02:30", "alice", "bob");
        var handoff = Utc(handoffOnChangeDay);

        var before = OnCallTimeline.WhoIsOnCall(schedule, handoff - Duration.FromMinutes(1))!;
        var after = OnCallTimeline.WhoIsOnCall(schedule, handoff)!;

        Assert.Equal(handoff, before.End);
        Assert.Equal(handoff, after.Start);
        Assert.NotEqual(before.User, after.User);
        Assert.True(hoursBefore == before.Length.TotalHours && hoursAfter == after.Length.TotalHours, Show([before, after]));
    }

    [Fact]
    public void Weekly_rotation_hands_off_on_monday_morning_and_the_week_with_the_change_is_167_hours()
    {
        var schedule = Build(new()
        {
            Name = "weekly",
            TimeZone = "Europe/Berlin",
            Layers = [new() { Rotation = "weekly", Handoff = "mon 09:00", Start = "2026-01-01", Participants = ["alice", "bob", "carol"] }],
        });

        // The first Monday on or after 1 January 2026 is 5 January: alice from then, bob from 12 January ...
        Assert.Null(OnCallTimeline.WhoIsOnCall(schedule, Utc("2026-01-05T07:59:00Z")));
        Assert.Equal("alice", OnCallTimeline.WhoIsOnCall(schedule, Utc("2026-01-05T08:00:00Z"))!.User);
        Assert.Equal("bob", OnCallTimeline.WhoIsOnCall(schedule, Utc("2026-01-12T08:00:00Z"))!.User);
        // Week 12 (from 23 March) is the 12th turn: 11 % 3 = 2, carol; it spans the spring-forward night.
        var week = OnCallTimeline.WhoIsOnCall(schedule, Utc("2026-03-25T12:00:00Z"))!;
        Assert.Equal(("carol", Utc("2026-03-23T08:00:00Z"), Utc("2026-03-30T07:00:00Z"), 167.0), (week.User, week.Start, week.End, week.Length.TotalHours));
    }

    [Fact]
    public void Twelve_hour_custom_rotation_keeps_its_local_handoffs_and_the_night_of_the_change_is_eleven_hours()
    {
        var schedule = Build(new()
        {
            Name = "follow-the-sun",
            TimeZone = "Europe/Berlin",
            Layers = [new() { Rotation = "custom", Length = "12h", Handoff = "08:00", Start = "2026-03-01", Participants = ["day", "night"] }],
        });

        var shifts = OnCallTimeline.Shifts(schedule, Utc("2026-03-28T07:00:00Z"), Utc("2026-03-29T18:00:00Z"));

        Assert.Equal(
            """
            day 2026-03-28T07:00:00Z - 2026-03-28T19:00:00Z (12h, layer 1)
            night 2026-03-28T19:00:00Z - 2026-03-29T06:00:00Z (11h, layer 1)
            day 2026-03-29T06:00:00Z - 2026-03-29T18:00:00Z (12h, layer 1)
            """.ReplaceLineEndings("\n"),
            Show(shifts));
    }

    [Fact]
    public void Three_day_custom_rotation_turns_every_third_day_from_its_start()
    {
        var schedule = Build(new()
        {
            Name = "three",
            TimeZone = "America/New_York",
            Layers = [new() { Rotation = "custom", Length = "3d", Handoff = "10:00", Start = "2026-03-06", Participants = ["alice", "bob"] }],
        });

        var shifts = OnCallTimeline.Shifts(schedule, Utc("2026-03-06T15:00:00Z"), Utc("2026-03-12T14:00:00Z"));

        // 6 March 10:00 EST -> 9 March 10:00 EDT is 71 hours (the clocks sprang forward on the 8th).
        Assert.Equal(
            """
            alice 2026-03-06T15:00:00Z - 2026-03-09T14:00:00Z (71h, layer 1)
            bob 2026-03-09T14:00:00Z - 2026-03-12T14:00:00Z (72h, layer 1)
            """.ReplaceLineEndings("\n"),
            Show(shifts));
    }

    private static Schedule BusinessHoursOverNights(params OverrideDefinition[] overrides) => Build(new()
    {
        Name = "support",
        TimeZone = "Europe/Berlin",
        Layers =
        [
            new() { Name = "around-the-clock", Rotation = "weekly", Handoff = "mon 09:00", Start = "2026-03-02", Participants = ["bob"] },
            new()
            {
                Name = "office",
                Rotation = "daily",
                Handoff = "09:00",
                Start = "2026-03-02",
                Participants = ["alice", "dan"],
                Restrictions = [new() { Days = "mon-fri", From = "09:00", To = "17:00" }],
            },
        ],
        Overrides = [.. overrides],
    });

    [Theory]
    [InlineData("2026-03-27T08:59", "bob")] // Friday before office hours: the lower layer shows through
    [InlineData("2026-03-27T09:00", "dan")] // Friday 09:00 local: office layer, 25 days after its start, turn 25 -> dan
    [InlineData("2026-03-27T16:59", "dan")]
    [InlineData("2026-03-27T17:00", "bob")] // Friday evening
    [InlineData("2026-03-28T12:00", "bob")] // Saturday: no office hours
    [InlineData("2026-03-30T09:00", "alice")] // Monday after the change: still from 09:00 local, turn 28 -> alice
    public void Business_hours_layer_wins_inside_its_restriction_and_the_lower_layer_shows_through_outside(string local, string expected)
    {
        var schedule = BusinessHoursOverNights();
        var at = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm").Parse(local).Value.InZoneLeniently(schedule.Zone).ToInstant();

        Assert.Equal(expected, OnCallTimeline.WhoIsOnCall(schedule, at)?.User);
    }

    [Fact]
    public void Override_wins_over_every_layer_for_its_period_only()
    {
        var schedule = BusinessHoursOverNights(new OverrideDefinition { User = "erin", Start = "2026-03-27T16:00", End = "2026-03-27T20:00" });

        var shifts = OnCallTimeline.Shifts(schedule, Utc("2026-03-27T07:00:00Z"), Utc("2026-03-27T21:00:00Z"));

        Assert.Equal(
            """
            bob 2026-03-27T07:00:00Z - 2026-03-27T08:00:00Z (1h, around-the-clock)
            dan 2026-03-27T08:00:00Z - 2026-03-27T15:00:00Z (7h, office)
            erin 2026-03-27T15:00:00Z - 2026-03-27T19:00:00Z (4h, override)
            bob 2026-03-27T19:00:00Z - 2026-03-27T21:00:00Z (2h, around-the-clock)
            """.ReplaceLineEndings("\n"),
            Show(shifts));
        Assert.True(shifts[2].IsOverride);
    }

    [Fact]
    public void Overnight_restriction_runs_into_the_next_day_and_nobody_is_on_call_outside_it()
    {
        var schedule = Build(new()
        {
            Name = "nights",
            TimeZone = "America/New_York",
            Layers =
            [
                new()
                {
                    Rotation = "weekly", Handoff = "mon 09:00", Start = "2026-03-02", Participants = ["owl"],
                    Restrictions = [new() { Days = "sat", From = "22:00", To = "06:00" }],
                },
            ],
        });

        var shifts = OnCallTimeline.Shifts(schedule, Utc("2026-03-07T00:00:00Z"), Utc("2026-03-09T00:00:00Z"));

        // Saturday 22:00 EST to Sunday 06:00 EDT: the clocks sprang forward in between, so 7 hours.
        Assert.Equal("owl 2026-03-08T03:00:00Z - 2026-03-08T10:00:00Z (7h, layer 1)", Show(shifts));
        Assert.Null(OnCallTimeline.WhoIsOnCall(schedule, Utc("2026-03-08T12:00:00Z")));
    }

    [Fact]
    public void Calendar_layer_events_are_shifts_and_a_later_override_beats_an_earlier_one()
    {
        var schedule = new Schedule(
            "imported",
            DateTimeZoneProviders.Tzdb["UTC"],
            [new CalendarLayer("rota", [new CalendarShift("alice", Utc("2026-05-01T00:00:00Z"), Utc("2026-05-02T00:00:00Z"))])],
            [
                new ScheduleOverride("bob", Utc("2026-05-01T06:00:00Z"), Utc("2026-05-01T12:00:00Z")),
                new ScheduleOverride("carol", Utc("2026-05-01T10:00:00Z"), Utc("2026-05-01T11:00:00Z")),
            ]);

        var shifts = OnCallTimeline.Shifts(schedule, Utc("2026-04-30T00:00:00Z"), Utc("2026-05-03T00:00:00Z"));

        Assert.Equal(
            """
            alice 2026-05-01T00:00:00Z - 2026-05-01T06:00:00Z (6h, rota)
            bob 2026-05-01T06:00:00Z - 2026-05-01T10:00:00Z (4h, override)
            carol 2026-05-01T10:00:00Z - 2026-05-01T11:00:00Z (1h, override)
            bob 2026-05-01T11:00:00Z - 2026-05-01T12:00:00Z (1h, override)
            alice 2026-05-01T12:00:00Z - 2026-05-02T00:00:00Z (12h, rota)
            """.ReplaceLineEndings("\n"),
            Show(shifts));
    }

    [Theory]
    [InlineData("time_zone", "Mars/Olympus_Mons", "unknown time zone")]
    [InlineData("layers[0].handoff", "9am", "is not a local time")]
    [InlineData("layers[0].participants", null, "at least one username")]
    [InlineData("layers[0].restrictions[1].days", "mon-fri", "overlaps restrictions[0]")]
    [InlineData("layers[0].restrictions[0].to", "same", "equals from")]
    [InlineData("layers[0].length", "90m", "whole days and hours")]
    public void Invalid_definitions_name_the_field(string path, string? value, string reason)
    {
        var layer = new LayerDefinition
        {
            Rotation = path.EndsWith("length", StringComparison.Ordinal) ? "custom" : "daily",
            Handoff = "09:00",
            Start = "2026-01-01",
            Participants = ["alice"],
        };
        var definition = new ScheduleDefinition { Name = "primary", TimeZone = "Europe/Berlin", Layers = [layer] };
        switch (path)
        {
            case "time_zone": definition.TimeZone = value; break;
            case "layers[0].handoff": layer.Handoff = value; break;
            case "layers[0].participants": layer.Participants = []; break;
            case "layers[0].length": layer.Length = value; break;
            case "layers[0].restrictions[0].to": layer.Restrictions = [new() { Days = "mon", From = "09:00", To = "09:00" }]; break;
            default:
                layer.Restrictions = [new() { Days = "wed", From = "08:00", To = "12:00" }, new() { Days = value, From = "11:00", To = "17:00" }];
                break;
        }

        var errors = ScheduleRules.Validate(definition, "").ToList();

        Assert.Contains(errors, e => e.Path == path && e.Reason.Contains(reason, StringComparison.Ordinal));
    }
}
