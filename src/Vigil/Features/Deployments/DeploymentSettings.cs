using Vigil.Configuration;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Alerting.Routing;

namespace Vigil.Features.Deployments;

/// <summary>The <c>deployments:</c> section of vigil.yaml.</summary>
public sealed class DeploymentSettings
{
    /// <summary>
    /// Environments any service may be deployed to, beside the ones a service declares in the
    /// catalog (<c>services[].environments</c>), each with its change control.
    /// </summary>
    public List<DeploymentEnvironmentDefinition> Environments { get; set; } = [];

    /// <summary>How long before an incident opens a deployment to its services still shows on its timeline (default 60m).</summary>
    public string? IncidentLookback { get; set; }

    public const string DefaultIncidentLookback = "60m";

    public TimeSpan IncidentLookbackSpan => Duration.TryParse(IncidentLookback ?? DefaultIncidentLookback, out var span) && span > TimeSpan.Zero ? span : TimeSpan.FromMinutes(60);

    public DeploymentEnvironmentDefinition? Environment(string name) => Environments.FirstOrDefault(e => e.Name == name);
}

/// <summary>One entry of <c>deployments.environments</c>: its gates, approval and freezes.</summary>
public sealed class DeploymentEnvironmentDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary>The checklist: each gate must be ticked with evidence before a deployment here starts.</summary>
    public List<GateDefinition> Gates { get; set; } = [];
    /// <summary>A deployment here starts only once someone with <c>deployments.approve</c> approved it.</summary>
    public bool RequireApproval { get; set; }
    /// <summary>With <see cref="RequireApproval"/>: the approver must not be the deployment's author (SOX segregation of duties).</summary>
    public bool SegregationOfDuties { get; set; } = true;
    /// <summary>Windows when starting a deployment here is refused unless overridden with a reason.</summary>
    public List<FreezeDefinition> Freezes { get; set; } = [];
    /// <summary>How canary deployments here are analysed step by step (<see cref="CanaryAnalysis"/>); none: not analysed.</summary>
    public CanaryPlanDefinition? Canary { get; set; }
    /// <summary>How blue-green deployments here are analysed: green judged against blue before the switch, then watched.</summary>
    public BlueGreenPlanDefinition? BlueGreen { get; set; }

    /// <summary>The plan <see cref="CanaryAnalysis"/> follows for a deployment of this strategy here, or null when it is not analysed.</summary>
    public CanaryPlanDefinition? AnalysisPlan(string strategy) => strategy switch
    {
        DeploymentStrategy.Canary => Canary,
        DeploymentStrategy.BlueGreen => BlueGreen?.AsPlan(),
        _ => null,
    };
}

/// <summary>
/// <c>deployments.environments[].blue_green</c>: seed 001's blue-green flow (smoke tests, switch, monitor 5 minutes,
/// keep blue 24 hours). Each metric's <c>canary</c> query reads green (the new version) and its <c>baseline</c> query blue.
/// </summary>
public sealed class BlueGreenPlanDefinition
{
    public List<CanaryMetricDefinition> Metrics { get; set; } = [];
    /// <summary>How long green is judged against blue before the switch (default 5m).</summary>
    public string? Verify { get; set; }
    /// <summary>After the switch: an alert on the service firing this long after fails the deployment (default 5m).</summary>
    public string? Watch { get; set; }
    /// <summary>How long the deployer keeps blue running after a success, ready for a rollback (default 24h).</summary>
    public string? KeepPrevious { get; set; }
    /// <summary>POSTed once when the deployment fails (the deployer switches back to blue).</summary>
    public string? RollbackWebhook { get; set; }

    public const string DefaultVerify = "5m";
    public const string DefaultKeepPrevious = "24h";

    public TimeSpan VerifySpan => Duration.TryParse(Verify ?? DefaultVerify, out var span) && span > TimeSpan.Zero ? span : TimeSpan.FromMinutes(5);

    public TimeSpan KeepPreviousSpan => Duration.TryParse(KeepPrevious ?? DefaultKeepPrevious, out var span) && span >= TimeSpan.Zero ? span : TimeSpan.FromHours(24);

    /// <summary>
    /// The same analysis as a canary's, in two steps: the verification (green against blue over <see cref="Verify"/>,
    /// at no share of the users' traffic: smoke or mirrored traffic) and the switch (all traffic, then the watch window).
    /// </summary>
    public CanaryPlanDefinition AsPlan() => new()
    {
        Steps = [new() { Weight = 0, Hold = Verify ?? DefaultVerify }, new() { Weight = 100 }],
        Metrics = Metrics,
        RollbackWebhook = RollbackWebhook,
        Watch = Watch,
    };
}

/// <summary><c>deployments.environments[].canary</c>: the steps, the metrics judged at each, where to ask for a rollback, and the watch window.</summary>
public sealed class CanaryPlanDefinition
{
    /// <summary>Traffic share and hold time of each step; only the last may omit its hold (it is the full rollout, followed by the watch window).</summary>
    public List<CanaryStepDefinition> Steps { get; set; } = [];
    public List<CanaryMetricDefinition> Metrics { get; set; } = [];
    /// <summary>POSTed once when the deployment fails (the deployer shifts the traffic back).</summary>
    public string? RollbackWebhook { get; set; }
    /// <summary>After the last step: an alert on the service firing this long after fails the deployment (default 5m).</summary>
    public string? Watch { get; set; }

    public const string DefaultWatch = "5m";

    public TimeSpan WatchSpan => Duration.TryParse(Watch ?? DefaultWatch, out var span) && span >= TimeSpan.Zero ? span : TimeSpan.FromMinutes(5);
}

public sealed class CanaryStepDefinition
{
    /// <summary>The canary's share of the traffic in percent (documentation and reports; the deployer does the shifting).</summary>
    public double Weight { get; set; }
    public string? Hold { get; set; }

    public TimeSpan? HoldSpan => Hold is { } hold && Duration.TryParse(hold, out var span) && span > TimeSpan.Zero ? span : null;
}

/// <summary>One metric judged by <see cref="CanaryJudge"/>: a PromQL query for the canary and one for the baseline.</summary>
public sealed class CanaryMetricDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    [ConfigRequired]
    public string? Canary { get; set; }
    [ConfigRequired]
    public string? Baseline { get; set; }
    public string Direction { get; set; } = "increase";
    public double EffectSize { get; set; } = 1.2;
    public double Confidence { get; set; } = 0.95;
    public double? Max { get; set; }
    public double? Min { get; set; }

    public MetricCriteria Criteria => new(Direction, Confidence, EffectSize, Max, Min);
}

public sealed class GateDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Description { get; set; }
}

/// <summary>A change freeze, in the forms of a maintenance window: a schedule phrase, cron with duration, or starts_at/ends_at.</summary>
public sealed class FreezeDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Schedule { get; set; }
    public string? Cron { get; set; }
    public string? Duration { get; set; }
    public string? StartsAt { get; set; }
    public string? EndsAt { get; set; }
    public string? TimeZone { get; set; }
    public string? Reason { get; set; }

    /// <summary>The freeze's openings, compiled by the maintenance windows' <see cref="WindowSchedule"/> (same forms, same rules).</summary>
    public WindowSchedule? Compile(out List<FieldError> errors, string at) =>
        WindowSchedule.TryCompile(new MaintenanceWindowDefinition
        {
            Name = Name,
            Service = "-",
            Schedule = Schedule,
            Cron = Cron,
            Duration = Duration,
            StartsAt = StartsAt,
            EndsAt = EndsAt,
            TimeZone = TimeZone,
        }, out errors, at);
}

/// <summary>The <c>deployments:</c> rules: environment and gate names present and unique, freezes valid.</summary>
public static class DeploymentConfigRules
{
    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        if (config.Deployments.IncidentLookback is { } lookback && (!Duration.TryParse(lookback, out var span) || span <= TimeSpan.Zero))
        {
            yield return new("deployments.incident_lookback", $"\"{lookback}\" is not a duration above 0 (write 60m, 2h)");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Deployments.Environments.Count; i++)
        {
            var environment = config.Deployments.Environments[i];
            var path = $"deployments.environments[{i}]";
            if (string.IsNullOrWhiteSpace(environment.Name))
            {
                yield return new($"{path}.name", "an environment name is required");
            }
            else if (!names.Add(environment.Name))
            {
                yield return new($"{path}.name", $"duplicate environment \"{environment.Name}\"");
            }
            var gates = new HashSet<string>(StringComparer.Ordinal);
            for (var j = 0; j < environment.Gates.Count; j++)
            {
                if (string.IsNullOrWhiteSpace(environment.Gates[j].Name))
                {
                    yield return new($"{path}.gates[{j}].name", "a gate name is required");
                }
                else if (!gates.Add(environment.Gates[j].Name!))
                {
                    yield return new($"{path}.gates[{j}].name", $"duplicate gate \"{environment.Gates[j].Name}\"");
                }
            }
            for (var j = 0; j < environment.Freezes.Count; j++)
            {
                environment.Freezes[j].Compile(out var errors, $"{path}.freezes[{j}].");
                foreach (var error in errors)
                {
                    yield return error;
                }
            }
            if (environment.Canary is { } canary)
            {
                foreach (var error in ValidateCanary(canary, $"{path}.canary"))
                {
                    yield return error;
                }
            }
            if (environment.BlueGreen is { } blueGreen)
            {
                foreach (var error in ValidateBlueGreen(blueGreen, $"{path}.blue_green"))
                {
                    yield return error;
                }
            }
        }
    }

    private static IEnumerable<FieldError> ValidateCanary(CanaryPlanDefinition canary, string path)
    {
        if (canary.Steps.Count == 0)
        {
            yield return new($"{path}.steps", "a canary plan needs at least one step, e.g. {weight: 5, hold: 30m}");
        }
        for (var i = 0; i < canary.Steps.Count; i++)
        {
            var step = canary.Steps[i];
            if (step.Weight is <= 0 or > 100 || !double.IsFinite(step.Weight))
            {
                yield return new($"{path}.steps[{i}].weight", $"{step.Weight} is not a traffic share in percent above 0 and at most 100");
            }
            if (step.Hold is { } hold && step.HoldSpan is null)
            {
                yield return new($"{path}.steps[{i}].hold", $"\"{hold}\" is not a duration above 0 (write 30m, 1h)");
            }
            else if (step.Hold is null && i < canary.Steps.Count - 1)
            {
                yield return new($"{path}.steps[{i}].hold", "only the last step may omit its hold time");
            }
        }
        foreach (var error in ValidateAnalysis(canary.Metrics, canary.RollbackWebhook, canary.Watch, path))
        {
            yield return error;
        }
    }

    private static IEnumerable<FieldError> ValidateBlueGreen(BlueGreenPlanDefinition plan, string path)
    {
        if (plan.Verify is { } verify && (!Duration.TryParse(verify, out var span) || span <= TimeSpan.Zero))
        {
            yield return new($"{path}.verify", $"\"{verify}\" is not a duration above 0 (write 5m, 10m)");
        }
        if (plan.KeepPrevious is { } keep && (!Duration.TryParse(keep, out var kept) || kept < TimeSpan.Zero))
        {
            yield return new($"{path}.keep_previous", $"\"{keep}\" is not a duration (write 24h)");
        }
        foreach (var error in ValidateAnalysis(plan.Metrics, plan.RollbackWebhook, plan.Watch, path))
        {
            yield return error;
        }
    }

    /// <summary>What a canary plan and a blue-green plan share: the metrics, the rollback webhook and the watch window.</summary>
    private static IEnumerable<FieldError> ValidateAnalysis(List<CanaryMetricDefinition> metrics, string? rollbackWebhook, string? watchWindow, string path)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < metrics.Count; i++)
        {
            var metric = metrics[i];
            var at = $"{path}.metrics[{i}]";
            if (metric.Name is { } name && !names.Add(name))
            {
                yield return new($"{at}.name", $"duplicate metric \"{name}\"");
            }
            if (metric.Canary is { } canaryQuery && QueryError(canaryQuery) is { } canaryError)
            {
                yield return new($"{at}.canary", canaryError);
            }
            if (metric.Baseline is { } baselineQuery && QueryError(baselineQuery) is { } baselineError)
            {
                yield return new($"{at}.baseline", baselineError);
            }
            if (metric.Direction is not ("increase" or "decrease" or "either"))
            {
                yield return new($"{at}.direction", $"\"{metric.Direction}\" is not one of increase, decrease, either");
            }
            if (metric.EffectSize < 1 || !double.IsFinite(metric.EffectSize))
            {
                yield return new($"{at}.effect_size", $"{metric.EffectSize} is not a ratio of at least 1 (1.2 = 20 % worse)");
            }
            if (metric.Confidence is <= 0 or >= 1 || !double.IsFinite(metric.Confidence))
            {
                yield return new($"{at}.confidence", $"{metric.Confidence} is not between 0 and 1 (e.g. 0.95)");
            }
        }
        if (rollbackWebhook is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new($"{path}.rollback_webhook", $"\"{url}\" is not an http(s) URL");
        }
        if (watchWindow is { } watch && (!Duration.TryParse(watch, out var span) || span < TimeSpan.Zero))
        {
            yield return new($"{path}.watch", $"\"{watch}\" is not a duration (write 5m, 30m)");
        }
    }

    /// <summary>Why a canary query does not parse as an instant-vector or scalar PromQL expression, or null when it does.</summary>
    public static string? QueryError(string query)
    {
        try
        {
            var expr = Vigil.Metrics.PromQL.PromQLParser.Parse(query);
            return expr.Type is Vigil.Metrics.PromQL.PromValueType.InstantVector or Vigil.Metrics.PromQL.PromValueType.Scalar
                ? null
                : "not an instant vector or scalar: a canary query is evaluated over the hold time as a range query";
        }
        catch (Vigil.Metrics.PromQL.PromQLParseException e)
        {
            return $"not a PromQL query: {e.Message}";
        }
    }
}
