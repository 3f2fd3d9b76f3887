using System.Collections;
using System.Text;

namespace Vigil.Metrics;

/// <summary>
/// An immutable set of labels sorted by name, with no duplicate names and no empty values
/// (Prometheus treats a label with an empty value as absent).
/// </summary>
public sealed class Labels : IReadOnlyList<Label>, IEquatable<Labels>
{
    private readonly Label[] items;
    private readonly int hash;

    /// <summary>
    /// The head series this very set was last found as, so a caller that passes the same instance
    /// again (the remote-write decoder's cache does, for every sample of a series after its first)
    /// skips the head's lookup by labels, as Prometheus's appender does with the series reference a
    /// scrape cache hands back. Only a hint: the head checks it is still its own series.
    /// </summary>
    internal Storage.Tsdb.MemSeries? Series;

    /// <summary>The empty label set.</summary>
    public static readonly Labels Empty = new([]);

    private Labels(Label[] sortedItems)
    {
        items = sortedItems;
        var h = new HashCode();
        foreach (var l in items)
        {
            h.Add(l.Name, StringComparer.Ordinal);
            h.Add(l.Value, StringComparer.Ordinal);
        }
        hash = h.ToHashCode();
    }

    /// <summary>Builds a label set from labels in any order; empty values are dropped, the last of duplicate names wins.</summary>
    public static Labels From(IEnumerable<Label> labels)
    {
        // Sized up front, and searched without a closure: per label set on the alert path the
        // growing list and a predicate per label were ~2 % of the allocations (bench/alerting).
        var list = labels.TryGetNonEnumeratedCount(out var count) ? new List<Label>(count) : new List<Label>();
        foreach (var l in labels)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i].Name == l.Name)
                {
                    list.RemoveAt(i);
                    break;
                }
            }
            if (l.Value.Length > 0)
            {
                list.Add(l);
            }
        }
        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list.Count == 0 ? Empty : new Labels([.. list]);
    }

    /// <summary>Builds a label set from alternating names and values: <c>Of("__name__", "up", "job", "api")</c>.</summary>
    public static Labels Of(params string[] namesAndValues)
    {
        if (namesAndValues.Length % 2 != 0)
        {
            throw new ArgumentException("Names and values must come in pairs.", nameof(namesAndValues));
        }
        var list = new List<Label>(namesAndValues.Length / 2);
        for (var i = 0; i < namesAndValues.Length; i += 2)
        {
            list.Add(new Label(namesAndValues[i], namesAndValues[i + 1]));
        }
        return From(list);
    }

    /// <summary>Wraps labels that the caller guarantees are sorted by name and unique; empty values are kept (alert annotations have them).</summary>
    public static Labels FromSorted(Label[] sortedUnique) => sortedUnique.Length == 0 ? Empty : new Labels(sortedUnique);

    /// <inheritdoc />
    public Label this[int index] => items[index];

    /// <inheritdoc />
    public int Count => items.Length;

    /// <summary>The labels as a read-only span, sorted by name.</summary>
    public ReadOnlySpan<Label> AsSpan() => items;

    /// <summary>The metric name (<c>__name__</c>), or an empty string.</summary>
    public string MetricName => Get(Label.MetricName);

    /// <summary>The value of the label <paramref name="name"/>, or an empty string when it is absent.</summary>
    public string Get(string name)
    {
        var lo = 0;
        var hi = items.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(items[mid].Name, name);
            if (c == 0)
            {
                return items[mid].Value;
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return string.Empty;
    }

    /// <summary>Whether a label named <paramref name="name"/> is present.</summary>
    public bool Has(string name) => Get(name).Length > 0;

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/> (removed when the value is empty).</summary>
    public Labels With(string name, string value)
    {
        var list = new List<Label>(items.Length + 1);
        var done = false;
        foreach (var l in items)
        {
            var c = string.CompareOrdinal(l.Name, name);
            if (c == 0)
            {
                if (value.Length > 0)
                {
                    list.Add(new Label(name, value));
                }
                done = true;
                continue;
            }
            if (c > 0 && !done)
            {
                if (value.Length > 0)
                {
                    list.Add(new Label(name, value));
                }
                done = true;
            }
            list.Add(l);
        }
        if (!done && value.Length > 0)
        {
            list.Add(new Label(name, value));
        }
        return FromSorted([.. list]);
    }

    /// <summary>A copy without the named labels.</summary>
    public Labels Without(params IEnumerable<string> names)
    {
        var drop = names as ISet<string> ?? new HashSet<string>(names, StringComparer.Ordinal);
        return Filtered(drop, keep: false);
    }

    /// <summary>A copy with only the named labels.</summary>
    public Labels Keep(params IEnumerable<string> names)
    {
        var keep = names as ISet<string> ?? new HashSet<string>(names, StringComparer.Ordinal);
        return Filtered(keep, keep: true);
    }

    /// <summary>
    /// The labels whose names are (<paramref name="keep"/>) or are not in <paramref name="names"/>:
    /// this set itself when that is all of them, else an array sized once (an aggregation asks
    /// this of every series it reads).
    /// </summary>
    private Labels Filtered(ISet<string> names, bool keep)
    {
        Span<bool> taken = items.Length <= 64 ? stackalloc bool[items.Length] : new bool[items.Length];
        var count = 0;
        for (var i = 0; i < items.Length; i++)
        {
            if (names.Contains(items[i].Name) == keep)
            {
                taken[i] = true;
                count++;
            }
        }
        if (count == items.Length)
        {
            return this;
        }
        if (count == 0)
        {
            return Empty;
        }
        var result = new Label[count];
        for (int i = 0, j = 0; i < items.Length; i++)
        {
            if (taken[i])
            {
                result[j++] = items[i];
            }
        }
        return new Labels(result);
    }

    /// <summary>A copy without <c>__name__</c>.</summary>
    public Labels WithoutMetricName() => Has(Label.MetricName) ? Without(Label.MetricName) : this;

    /// <inheritdoc />
    public bool Equals(Labels? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other.hash != hash || other.items.Length != items.Length)
        {
            return false;
        }
        for (var i = 0; i < items.Length; i++)
        {
            if (!string.Equals(items[i].Name, other.items[i].Name, StringComparison.Ordinal) ||
                !string.Equals(items[i].Value, other.items[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Labels l && Equals(l);

    /// <inheritdoc />
    public override int GetHashCode() => hash;

    /// <summary>Orders label sets the way Prometheus sorts series: label by label, name then value.</summary>
    public static int Compare(Labels a, Labels b)
    {
        var n = Math.Min(a.items.Length, b.items.Length);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(a.items[i].Name, b.items[i].Name);
            if (c != 0)
            {
                return c;
            }
            c = string.CompareOrdinal(a.items[i].Value, b.items[i].Value);
            if (c != 0)
            {
                return c;
            }
        }
        return a.items.Length.CompareTo(b.items.Length);
    }

    /// <summary>Formats as Prometheus does: <c>name{a="1", b="2"}</c>, values escaped.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var name = MetricName;
        sb.Append(name);
        var first = true;
        foreach (var l in items)
        {
            if (l.Name == Label.MetricName)
            {
                continue;
            }
            sb.Append(first ? "{" : ", ");
            first = false;
            sb.Append(l.Name).Append("=\"");
            foreach (var ch in l.Value)
            {
                switch (ch)
                {
                    case '\\': sb.Append("\\\\"); break;
                    case '"': sb.Append("\\\""); break;
                    case '\n': sb.Append("\\n"); break;
                    default: sb.Append(ch); break;
                }
            }
            sb.Append('"');
        }
        if (!first)
        {
            sb.Append('}');
        }
        else if (name.Length == 0)
        {
            sb.Append("{}");
        }
        return sb.ToString();
    }

    /// <inheritdoc />
    public IEnumerator<Label> GetEnumerator() => ((IEnumerable<Label>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();
}
