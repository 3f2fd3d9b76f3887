using System.Collections;
using Vigil.Configuration;

namespace Vigil.Tests.OnCall;

/// <summary><c>schedules:</c> in vigil.yaml: mistakes are reported with file, line, column and reason, all at once.</summary>
public sealed class ScheduleConfigTests
{
    [Fact]
    public void Schedule_mistakes_are_reported_at_their_line_and_column()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            schedules:
              - name: primary
                time_zone: Europe/Berlim
                layers:
                  - rotation: weekly
                    handoff: monday 9am
                    start: 2026-01-05
                    participants: []
                  - rotation: daily
                    start: 2026-01-05
                    participants: [alice]
                    restrictions:
                      - {days: mon-fri, from: "09:00", to: "17:00"}
                      - {days: fri, from: "16:00", to: "20:00"}
              - name: primary
                time_zone: UTC
            """, new Hashtable());

        Assert.Equal(
            [
                "vigil.yaml:14:20: overlaps restrictions[0] on fri",
                "vigil.yaml:15:11: duplicate schedule name \"primary\"",
                "vigil.yaml:3:16: unknown time zone \"Europe/Berlim\": use an IANA zone name such as Europe/Berlin or UTC",
                "vigil.yaml:6:18: \"monday 9am\" is not a local time HH:MM (weekly: a weekday first, \"mon 09:00\")",
                "vigil.yaml:8:23: needs at least one username",
            ],
            loaded.Errors.Select(e => e.ToString()).Order(StringComparer.Ordinal));
    }
}
