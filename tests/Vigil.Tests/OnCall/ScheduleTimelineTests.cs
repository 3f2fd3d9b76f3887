using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using Vigil.Configuration;
using Vigil.Features.OnCall;
using Vigil.Features.OnCall.Pages;

namespace Vigil.Tests.OnCall;

/// <summary>The on-call page's SVG timeline, rendered on its own over the spring-forward week in Berlin.</summary>
public sealed partial class ScheduleTimelineTests
{
    [GeneratedRegex("""<g class="bar[^"]*" data-user="(?<user>[^"]+)" data-start="(?<start>[^"]+)" data-end="(?<end>[^"]+)">""")]
    private static partial Regex Bar();

    [GeneratedRegex("""<line class="grid" x1="(?<x>[0-9.]+)" """)]
    private static partial Regex DayLine();

    private static async Task<string> RenderAsync(Schedule schedule, Instant from, Instant to, Instant now)
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<ScheduleTimeline>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(ScheduleTimeline.Schedule)] = schedule,
                [nameof(ScheduleTimeline.From)] = from,
                [nameof(ScheduleTimeline.To)] = to,
                [nameof(ScheduleTimeline.Now)] = now,
            }));
            return output.ToHtmlString();
        });
    }

    [Fact]
    public async Task Rows_come_from_the_timeline_code_with_the_override_winning_and_local_day_lines_across_daylight_saving()
    {
        var errors = new List<FieldError>();
        var schedule = ScheduleRules.Build(new ScheduleDefinition
        {
            Name = "primary",
            TimeZone = "Europe/Berlin",
            Layers = [new LayerDefinition { Name = "days", Rotation = "daily", Handoff = "09:00", Start = "2027-03-27", Participants = ["alice", "bob"] }],
            Overrides = [new OverrideDefinition { User = "zoe", Start = "2027-03-29T12:00", End = "2027-03-29T14:00" }],
        }, "", errors, static (_, _) => [])!;
        Assert.Empty(errors);
        var zone = schedule.Zone;
        // Saturday 27 March 2027 to Tuesday 30 March, local midnights; clocks go forward on Sunday 28 March at 02:00.
        var from = OnCallTimeline.Resolve(new LocalDateTime(2027, 3, 27, 0, 0), zone);
        var to = OnCallTimeline.Resolve(new LocalDateTime(2027, 3, 30, 0, 0), zone);
        var html = await RenderAsync(schedule, from, to, Instant.FromUtc(2027, 3, 28, 10, 0));

        var bars = Bar().Matches(html).Select(m => (m.Groups["user"].Value, m.Groups["start"].Value, m.Groups["end"].Value)).ToList();
        // The layer row: hand-offs at 09:00 local, 08:00Z before the change and 07:00Z after it.
        Assert.Contains(("alice", "2027-03-27T08:00:00Z", "2027-03-28T07:00:00Z"), bars);
        Assert.Contains(("bob", "2027-03-28T07:00:00Z", "2027-03-29T07:00:00Z"), bars);
        // The final row: zoe's override cuts alice's Monday, as OnCallTimeline.Shifts says.
        var final = html[html.IndexOf("data-row=\"final\"", StringComparison.Ordinal)..];
        var finalBars = Bar().Matches(final).Select(m => (m.Groups["user"].Value, m.Groups["start"].Value, m.Groups["end"].Value)).ToList();
        Assert.Equal(
            OnCallTimeline.Shifts(schedule, from, to).Select(s => (s.User, Text(s.Start), Text(s.End))),
            finalBars);
        Assert.Contains(("zoe", "2027-03-29T10:00:00Z", "2027-03-29T12:00:00Z"), finalBars);
        Assert.Contains("data-now=\"2027-03-28T10:00:00Z\"", html);
        Assert.Contains("<li class=\"override\" data-user=\"zoe\">zoe: Mon 2027-03-29 12:00", html);

        // Day lines at local midnights: Sunday, the 23-hour day, is narrower than Saturday.
        var lines = DayLine().Matches(html).Select(m => double.Parse(m.Groups["x"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal(23.0 / 24.0, (lines[2] - lines[1]) / (lines[1] - lines[0]), 2);
    }

    private static string Text(Instant instant) => NodaTime.Text.InstantPattern.General.Format(instant);
}
