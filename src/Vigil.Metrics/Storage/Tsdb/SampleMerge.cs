namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>Merges sample runs from the head and from blocks into one ascending run.</summary>
internal static class SampleMerge
{
    /// <summary>
    /// Merges runs that are each sorted by timestamp. At an identical timestamp one sample is
    /// kept: the one from the later run (runs are passed oldest source first, head last).
    /// </summary>
    public static List<Sample> Merge(IReadOnlyList<IReadOnlyList<Sample>> runs)
    {
        if (runs.Count == 1 && runs[0] is List<Sample> only)
        {
            return only;
        }
        var all = new List<(Sample S, int Run)>(runs.Sum(r => r.Count));
        for (var r = 0; r < runs.Count; r++)
        {
            foreach (var s in runs[r])
            {
                all.Add((s, r));
            }
        }
        all.Sort((a, b) => a.S.TimestampMs != b.S.TimestampMs ? a.S.TimestampMs.CompareTo(b.S.TimestampMs) : a.Run.CompareTo(b.Run));
        var result = new List<Sample>(all.Count);
        foreach (var (s, _) in all)
        {
            if (result.Count > 0 && result[^1].TimestampMs == s.TimestampMs)
            {
                result[^1] = s;
            }
            else
            {
                result.Add(s);
            }
        }
        return result;
    }
}
