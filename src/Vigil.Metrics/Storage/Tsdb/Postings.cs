namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>An inverted index: for each label name and value, the sorted ids of the series that carry it.</summary>
internal interface IPostingsIndex
{
    /// <summary>Every series id, sorted.</summary>
    IReadOnlyList<int> AllPostings { get; }

    /// <summary>The values label <paramref name="name"/> takes.</summary>
    IEnumerable<string> ValuesOf(string name);

    /// <summary>Sorted ids of series with <paramref name="name"/>=<paramref name="value"/> (empty when none).</summary>
    IReadOnlyList<int> PostingsFor(string name, string value);
}

/// <summary>Label matchers resolved to series ids by set operations on postings lists.</summary>
internal static class Postings
{
    /// <summary>
    /// The sorted ids of series matching all <paramref name="matchers"/>. As in Prometheus
    /// <c>PostingsForMatchers</c>, a matcher that does not match the empty string intersects with
    /// the union of the values it matches; one that does (<c>a!="x"</c>, <c>a=""</c>,
    /// <c>a=~"x|"</c>) instead subtracts the series whose value it rejects, so series lacking the
    /// label stay selected. With only such matchers, we start from all series.
    /// </summary>
    public static int[] Select(IPostingsIndex index, IReadOnlyList<LabelMatcher> matchers)
    {
        var equal = new List<IReadOnlyList<int>>();
        var valueSets = new List<List<IReadOnlyList<int>>>();
        var exclude = new List<IReadOnlyList<int>>();
        foreach (var m in matchers)
        {
            if (!m.MatchesEmpty)
            {
                if (m.Type == MatchType.Equal)
                {
                    equal.Add(index.PostingsFor(m.Name, m.Value));
                }
                else
                {
                    // The regular expression runs once per distinct value of the label, not per series.
                    valueSets.Add(MatchingLists(index, m.Name, v => m.Matches(v)));
                }
            }
            else
            {
                exclude.Add(m.Type == MatchType.NotEqual
                    ? index.PostingsFor(m.Name, m.Value)
                    : Union(MatchingLists(index, m.Name, v => !m.Matches(v))));
            }
        }
        int[]? result = null;
        if (equal.Count > 0)
        {
            equal.Sort((a, b) => a.Count.CompareTo(b.Count));
            result = [.. equal[0]];
            foreach (var p in equal.Skip(1))
            {
                result = Intersect(result, p);
            }
        }
        valueSets.Sort((a, b) => a.Sum(l => l.Count).CompareTo(b.Sum(l => l.Count)));
        foreach (var lists in valueSets)
        {
            if (result is null)
            {
                result = Union(lists);
            }
            else if ((long)result.Length * lists.Count < lists.Sum(l => l.Count))
            {
                // A few candidates (service="x") against large lists (status=~"5.."): look each
                // candidate up instead of building and sorting the union of the lists.
                result = KeepListed(result, lists);
            }
            else
            {
                result = Intersect(result, Union(lists));
            }
        }
        result ??= [.. index.AllPostings];
        foreach (var p in exclude)
        {
            result = Subtract(result, p);
        }
        return result;
    }

    public static int[] Intersect(int[] a, IReadOnlyList<int> b)
    {
        if (b.Count > 16 * a.Length)
        {
            // service="x" (a thousand ids) against __name__ (a hundred thousand): search, don't walk.
            return Array.FindAll(a, id => Contains(b, id));
        }
        var result = new List<int>(Math.Min(a.Length, b.Count));
        int i = 0, j = 0;
        while (i < a.Length && j < b.Count)
        {
            if (a[i] == b[j])
            {
                result.Add(a[i]);
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return [.. result];
    }

    public static int[] Subtract(int[] a, IReadOnlyList<int> b)
    {
        if (b.Count == 0)
        {
            return a;
        }
        var result = new List<int>(a.Length);
        var j = 0;
        foreach (var x in a)
        {
            while (j < b.Count && b[j] < x)
            {
                j++;
            }
            if (j >= b.Count || b[j] != x)
            {
                result.Add(x);
            }
        }
        return [.. result];
    }

    private static List<IReadOnlyList<int>> MatchingLists(IPostingsIndex index, string name, Func<string, bool> valueMatches)
    {
        var lists = new List<IReadOnlyList<int>>();
        foreach (var v in index.ValuesOf(name))
        {
            if (valueMatches(v))
            {
                lists.Add(index.PostingsFor(name, v));
            }
        }
        return lists;
    }

    private static int[] Union(List<IReadOnlyList<int>> lists)
    {
        if (lists.Count == 1)
        {
            return [.. lists[0]];
        }
        var all = new int[lists.Sum(l => l.Count)];
        var n = 0;
        foreach (var l in lists)
        {
            foreach (var id in l)
            {
                all[n++] = id;
            }
        }
        // A series has one value per name, so lists for different values never share an id.
        Array.Sort(all);
        return all;
    }

    /// <summary>The ids of <paramref name="candidates"/> found in one of <paramref name="lists"/> (each sorted).</summary>
    private static int[] KeepListed(int[] candidates, List<IReadOnlyList<int>> lists)
    {
        var result = new List<int>(candidates.Length);
        foreach (var id in candidates)
        {
            foreach (var l in lists)
            {
                if (Contains(l, id))
                {
                    result.Add(id);
                    break;
                }
            }
        }
        return [.. result];
    }

    private static bool Contains(IReadOnlyList<int> sorted, int id)
    {
        var lo = 0;
        var hi = sorted.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var v = sorted[mid];
            if (v == id)
            {
                return true;
            }
            if (v < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return false;
    }
}

/// <summary>The head's mutable inverted index. Callers hold the store lock.</summary>
internal sealed class HeadPostings : IPostingsIndex
{
    private static readonly List<int> None = [];
    private readonly Dictionary<string, Dictionary<string, List<int>>> byName = new(StringComparer.Ordinal);
    private readonly List<int> all = [];

    public IReadOnlyList<int> AllPostings => all;

    public IEnumerable<string> LabelNames => byName.Keys;

    public IEnumerable<string> ValuesOf(string name) => byName.TryGetValue(name, out var values) ? values.Keys : [];

    public IReadOnlyList<int> PostingsFor(string name, string value) =>
        byName.TryGetValue(name, out var values) && values.TryGetValue(value, out var ids) ? ids : None;

    public void Add(int id, Labels labels)
    {
        Insert(all, id);
        foreach (var l in labels.AsSpan())
        {
            if (!byName.TryGetValue(l.Name, out var values))
            {
                values = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                byName[l.Name] = values;
            }
            if (!values.TryGetValue(l.Value, out var ids))
            {
                ids = [];
                values[l.Value] = ids;
            }
            Insert(ids, id);
        }
    }

    public void Remove(int id, Labels labels)
    {
        RemoveFrom(all, id);
        foreach (var l in labels.AsSpan())
        {
            if (byName.TryGetValue(l.Name, out var values) && values.TryGetValue(l.Value, out var ids))
            {
                RemoveFrom(ids, id);
                if (ids.Count == 0)
                {
                    values.Remove(l.Value);
                    if (values.Count == 0)
                    {
                        byName.Remove(l.Name);
                    }
                }
            }
        }
    }

    private static void Insert(List<int> ids, int id)
    {
        // Ids are handed out in increasing order, so this is almost always an append.
        if (ids.Count == 0 || ids[^1] < id)
        {
            ids.Add(id);
            return;
        }
        var i = ids.BinarySearch(id);
        if (i < 0)
        {
            ids.Insert(~i, id);
        }
    }

    private static void RemoveFrom(List<int> ids, int id)
    {
        var i = ids.BinarySearch(id);
        if (i >= 0)
        {
            ids.RemoveAt(i);
        }
    }
}
