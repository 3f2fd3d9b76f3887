namespace Vigil.Metrics.Scrape;

/// <summary>How a scraped sample's labels and its target's labels combine (Prometheus 2.42 <c>mutateSampleLabels</c>).</summary>
public static class TargetLabels
{
    /// <summary>The prefix given to an exposed label that collides with a target label when <c>honor_labels</c> is false.</summary>
    public const string ExportedPrefix = "exported_";

    /// <summary>
    /// With <paramref name="honorLabels"/>, exposed labels win and target labels only fill gaps.
    /// Without, target labels win and each clashing exposed label is kept as <c>exported_&lt;name&gt;</c>
    /// (prefixed again until the name is free; shorter names are resolved first, as Prometheus does).
    /// </summary>
    public static Labels Merge(Labels exposed, Labels target, bool honorLabels)
    {
        if (target.Count == 0)
        {
            return exposed;
        }
        if (!Collides(exposed, target))
        {
            return MergeDisjoint(exposed, target);
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var l in exposed)
        {
            result[l.Name] = l.Value;
        }
        if (honorLabels)
        {
            foreach (var l in target)
            {
                result.TryAdd(l.Name, l.Value);
            }
            return Labels.From(result.Select(kv => new Label(kv.Key, kv.Value)));
        }
        var conflicts = new List<Label>();
        foreach (var l in target)
        {
            var existing = exposed.Get(l.Name);
            if (existing.Length > 0)
            {
                conflicts.Add(new Label(l.Name, existing));
            }
            result[l.Name] = l.Value;
        }
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in conflicts.OrderBy(c => c.Name.Length))
        {
            var name = c.Name;
            do
            {
                name = ExportedPrefix + name;
            }
            while (exposed.Has(name) || target.Has(name) || taken.Contains(name));
            taken.Add(name);
            result[name] = c.Value;
        }
        return Labels.From(result.Select(kv => new Label(kv.Key, kv.Value)));
    }

    private static bool Collides(Labels exposed, Labels target)
    {
        foreach (var l in target)
        {
            if (exposed.Has(l.Name))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The common case, no shared names: a merge of two sorted arrays.</summary>
    private static Labels MergeDisjoint(Labels a, Labels b)
    {
        var x = a.AsSpan();
        var y = b.AsSpan();
        var result = new Label[x.Length + y.Length];
        int i = 0, j = 0, k = 0;
        while (i < x.Length && j < y.Length)
        {
            result[k++] = string.CompareOrdinal(x[i].Name, y[j].Name) < 0 ? x[i++] : y[j++];
        }
        while (i < x.Length)
        {
            result[k++] = x[i++];
        }
        while (j < y.Length)
        {
            result[k++] = y[j++];
        }
        return Labels.FromSorted(result);
    }
}
