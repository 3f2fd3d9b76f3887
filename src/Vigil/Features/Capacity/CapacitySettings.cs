using Vigil.Configuration;

namespace Vigil.Features.Capacity;

/// <summary>
/// <c>capacity:</c> in vigil.yaml: per service, named resources with a limit and a usage query, the
/// triggers that recommend scaling, and the anomaly templates (docs/capacity.md).
/// </summary>
public sealed class CapacitySettings
{
    /// <summary>Each service's capacity model, keyed by the service's name.</summary>
    public List<CapacityServiceDefinition> Services { get; set; } = [];

    /// <summary>"k standard deviations from the same hour of the same weekday" templates.</summary>
    public List<AnomalyDefinition> Anomaly { get; set; } = [];
}

[ConfigKeyedByName]
public sealed class CapacityServiceDefinition
{
    /// <summary>A service under <c>services:</c>.</summary>
    public string? Name { get; set; }

    public List<CapacityResourceDefinition> Resources { get; set; } = [];

    /// <summary>Triggers whose alerts recommend adding capacity (<c>capacity_action="scale_up"</c> unless they say otherwise).</summary>
    public List<CapacityTriggerDefinition> ScaleUp { get; set; } = [];

    /// <summary>Triggers whose alerts recommend removing capacity (<c>capacity_action="scale_down"</c>).</summary>
    public List<CapacityTriggerDefinition> ScaleDown { get; set; } = [];
}

/// <summary>A named resource: connections, storage, concurrent users, requests a minute.</summary>
[ConfigKeyedByName]
public sealed class CapacityResourceDefinition
{
    public string? Name { get; set; }

    /// <summary>What the numbers count (connections, GB, users); shown, not converted.</summary>
    public string? Unit { get; set; }

    /// <summary>The most the resource holds, in <see cref="Unit"/>.</summary>
    public double? Limit { get; set; }

    /// <summary>PromQL giving the usage now, in <see cref="Unit"/>.</summary>
    public string? Usage { get; set; }

    /// <summary>A declared growth model: <c>3x/year</c>, <c>+20%/month</c>, <c>+50%/quarter</c>, <c>+5%/30d</c>.</summary>
    public string? Growth { get; set; }

    /// <summary>Generate an alert when the linear trend reaches the limit within this long.</summary>
    public TimeSpan? RunsOutWithin { get; set; }

    /// <summary>How much history the trend is fitted over (default 30d).</summary>
    public TimeSpan? History { get; set; }
}

/// <summary>A scaling trigger: a condition held for a while, and what to do about it.</summary>
public sealed class CapacityTriggerDefinition
{
    /// <summary>The alert's name; default from the action (<c>CapacityScaleUp</c>, <c>CapacityScaleDown</c>, <c>CapacityAddReadReplica</c>).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// <c>NAME OP NUMBER[UNIT]</c> as short-form rules write it (<c>cpu_usage &gt; 70%</c>,
    /// <c>response_time_p95 &gt; 1500ms</c>); a resource's name stands for its utilisation, usage / limit
    /// (<c>connections &gt; 80%</c>).
    /// </summary>
    public string? Condition { get; set; }

    /// <summary>A PromQL alert expression, instead of <see cref="Condition"/>.</summary>
    public string? Expr { get; set; }

    public TimeSpan For { get; set; }

    public string? Severity { get; set; }

    /// <summary><c>scale_up</c>, <c>scale_down</c> or <c>add_read_replica</c>; default the list's.</summary>
    public string? Action { get; set; }

    /// <summary>What an operator should do, e.g. "add a replica (max 10)"; the alert's <c>recommendation</c> annotation.</summary>
    public string? Recommendation { get; set; }
}

/// <summary>
/// An anomaly template: the current value of <see cref="Series"/> against the same hour of the same
/// weekday over the last <see cref="Weeks"/> weeks.
/// </summary>
public sealed class AnomalyDefinition
{
    public string? Name { get; set; }

    /// <summary>The service it belongs to (a label on its rules); none for a global template.</summary>
    public string? Service { get; set; }

    /// <summary>PromQL of the value watched, usually a 1h rate: <c>sum by (service) (rate(http_requests_total{code=~"5.."}[1h]))</c>.</summary>
    public string? Series { get; set; }

    /// <summary>How many standard deviations from the baseline mean fire (default 3).</summary>
    public double K { get; set; } = 3;

    /// <summary>How many past weeks form the baseline (default 4, at least 2).</summary>
    public int Weeks { get; set; } = 4;

    /// <summary>The value must also be above this, so quiet hours do not page (default 0).</summary>
    public double MinVolume { get; set; }

    public TimeSpan For { get; set; }

    public string? Severity { get; set; }

    public string? Summary { get; set; }
}
