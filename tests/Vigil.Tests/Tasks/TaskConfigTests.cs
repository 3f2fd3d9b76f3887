using Vigil.Configuration;

namespace Vigil.Tests.Tasks;

public class TaskConfigTests
{
    private static IReadOnlyList<ConfigError> Errors(string yaml) =>
        ConfigLoader.Parse("vigil.yaml", yaml, new Dictionary<string, string>()).Errors;

    [Fact]
    public void An_unparsable_rrule_a_second_assignee_and_an_unknown_zone_are_reported_at_their_lines()
    {
        var errors = Errors("""
            tasks:
              - name: patching
                rrule: "FREQ=SOMETIMES"
                start: 2026-11-10T09:00
                assignee: {role: manager}
              - name: vacuum
                cron: "0 3 * * MON"
                time_zone: Mars/Olympus
                assignee: {user: dba, role: operator}
            """).Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:3:", StringComparison.Ordinal) && e.Contains("\"FREQ=SOMETIMES\" is not an RFC 5545 RRULE", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:8:", StringComparison.Ordinal) && e.Contains("unknown time zone \"Mars/Olympus\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:9:", StringComparison.Ordinal) && e.Contains("give exactly one of user, role or schedule", StringComparison.Ordinal));
    }

    [Fact]
    public void Seed_002s_maintenance_tasks_as_config_are_valid()
    {
        var errors = Errors("""
            tasks:
              - name: weekly-vacuum
                title: Database vacuum
                cron: "0 3 * * MON"
                assignee: {user: dba}
                grace: 2h
              - name: backup-verification
                rrule: FREQ=WEEKLY;BYDAY=WE
                start: 2026-11-04T10:00
                time_zone: Europe/Berlin
                assignee: {role: operator}
              - name: cost-review
                rrule: FREQ=MONTHLY;BYDAY=1TU
                start: 2026-11-03T10:00
                assignee: {role: manager}
                checklist: [Review and remove unused resources, Monitor LLM API costs]
            """);

        Assert.Empty(errors);
    }
}
