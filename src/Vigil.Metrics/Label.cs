namespace Vigil.Metrics;

/// <summary>One label: a name and its value.</summary>
/// <param name="Name">The label name, e.g. <c>job</c>; <c>__name__</c> holds the metric name.</param>
/// <param name="Value">The label value; an empty value means the label is absent.</param>
public readonly record struct Label(string Name, string Value)
{
    /// <summary>The reserved label that holds the metric name.</summary>
    public const string MetricName = "__name__";
}
