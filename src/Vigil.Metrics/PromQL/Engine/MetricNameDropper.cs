namespace Vigil.Metrics.PromQL;

/// <summary>
/// Drops <c>__name__</c> from label sets, remembering each answer so that a series keeps one
/// label-set instance across steps (no allocation per step, and reference-fast equality later).
/// </summary>
internal sealed class MetricNameDropper
{
    private readonly Dictionary<Labels, Labels> cache = [];

    public Labels Drop(Labels labels)
    {
        if (!labels.Has(Label.MetricName))
        {
            return labels;
        }
        if (!cache.TryGetValue(labels, out var dropped))
        {
            dropped = labels.WithoutMetricName();
            cache[labels] = dropped;
        }
        return dropped;
    }
}
