using System.Collections;
using Vigil.Configuration;
using Vigil.Features.OnCall.Escalation;

namespace Vigil.Tests.OnCall;

/// <summary><c>escalation_policies:</c>, <c>contacts:</c> and <c>paging:</c> in vigil.yaml, and the escalation decision.</summary>
public sealed class EscalationConfigTests
{
    [Fact]
    public void Escalation_mistakes_are_reported_at_their_line_and_column()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            schedules:
              - name: primary
                time_zone: UTC
                layers: [{rotation: daily, start: 2026-01-05, participants: [alice]}]
            contacts:
              - name: cto
                phone: "0151 1234"
            paging:
              sms_channel: nowhere
            escalation_policies:
              - name: default
                levels:
                  - targets: []
                    delay: 5m
                  - targets: [{schedule: secondary}]
                  - targets: [{contact: dba}]
                until: forever
            """, new Hashtable());

        Assert.Equal(
            [
                "vigil.yaml:13:18: a level needs at least one target ({user: NAME}, {schedule: NAME} or {contact: NAME})",
                "vigil.yaml:15:30: no schedule named \"secondary\"",
                "vigil.yaml:15:9: is required: how long to wait for an acknowledgement before the next level, such as 5m",
                "vigil.yaml:16:29: no contact named \"dba\" in contacts: or in a service's contacts",
                "vigil.yaml:17:12: must be \"acknowledged\" or \"resolved\", not \"forever\"",
                "vigil.yaml:7:12: \"0151 1234\" is not a phone number in E.164 form, such as +4915112345678",
                "vigil.yaml:9:16: no channel named \"nowhere\" in channels:",
            ],
            loaded.Errors.Select(e => e.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_example_config_has_the_seeds_default_policy()
    {
        var loaded = ConfigLoader.Load(Path.Combine(Support.RepositoryPaths.Root, "deploy", "vigil.example.yaml"));

        Assert.Empty(loaded.Errors);
        var policy = Assert.Single(loaded.Config.EscalationPolicies, p => p.Name == "default");
        Assert.Equal(
            [("primary", TimeSpan.FromMinutes(5)), ("secondary", TimeSpan.FromMinutes(15)), ("manager", (TimeSpan?)null)],
            policy.Levels!.Select(l => (l.Targets![0].Schedule ?? l.Targets[0].Contact ?? l.Targets[0].User, l.Delay)).ToList());
    }

    private static readonly EscalationPolicyDefinition Seeds = new()
    {
        Name = "default",
        Levels =
        [
            new() { Targets = [new() { Schedule = "primary" }], Delay = TimeSpan.FromMinutes(5) },
            new() { Targets = [new() { Schedule = "secondary" }], Delay = TimeSpan.FromMinutes(15) },
            new() { Targets = [new() { Contact = "manager" }], Delay = TimeSpan.FromMinutes(10) },
        ],
        Repeat = 1,
    };

    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, PageStatus, int, int, int, StepKind, int, int, int?> Steps => new()
    {
        // case, status, level, cycle, minutes after T0 now, expected kind, level, cycle, next due (minutes after T0)
        { "not due yet", PageStatus.Triggered, 0, 0, 4, StepKind.Wait, 0, 0, 5 },
        { "level 1 unanswered", PageStatus.Triggered, 0, 0, 5, StepKind.PageLevel, 1, 0, 20 },
        { "a late loop measures from when it was due", PageStatus.Triggered, 0, 0, 9, StepKind.PageLevel, 1, 0, 20 },
        { "last level unanswered repeats", PageStatus.Triggered, 2, 0, 5, StepKind.PageLevel, 0, 1, 10 },
        { "last level of the last repeat", PageStatus.Triggered, 2, 1, 5, StepKind.Exhaust, 2, 1, null },
        { "acknowledged stops", PageStatus.Acknowledged, 0, 0, 5, StepKind.Wait, 0, 0, null },
        { "resolved stops", PageStatus.Resolved, 0, 0, 5, StepKind.Wait, 0, 0, 5 },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Escalation_step(string name, PageStatus status, int level, int cycle, int now, StepKind kind, int nextLevel, int nextCycle, int? nextDue)
    {
        var step = EscalationStep.Decide(status, level, cycle, T0.AddMinutes(5), Seeds, T0.AddMinutes(now));

        Assert.True(
            (kind, nextLevel, nextCycle, nextDue is { } m ? T0.AddMinutes(m) : (DateTimeOffset?)null) == (step.Kind, step.Level, step.Cycle, step.NextAt),
            $"{name}: got {step}");
    }

    [Fact]
    public void Until_resolved_keeps_escalating_after_an_acknowledgement()
    {
        var policy = new EscalationPolicyDefinition { Name = "p", Levels = Seeds.Levels, Until = "resolved" };

        var step = EscalationStep.Decide(PageStatus.Acknowledged, 0, 0, T0.AddMinutes(5), policy, T0.AddMinutes(5));

        Assert.Equal((StepKind.PageLevel, 1), (step.Kind, step.Level));
    }
}
