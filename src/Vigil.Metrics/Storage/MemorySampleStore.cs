namespace Vigil.Metrics.Storage;

/// <summary>
/// A non-durable store held entirely in memory, for rule unit tests (<c>vigil rules test</c>) and
/// PromQL test files, where data is loaded in any order and thrown away afterwards. Samples may be
/// appended in any order; a sample at an existing timestamp replaces the old one.
/// </summary>
public sealed class MemorySampleStore : ISampleStore
{
    private readonly Dictionary<Labels, List<Sample>> series = [];
    private readonly Lock gate = new();

    /// <inheritdoc />
    public ISampleAppender Appender() => new MemoryAppender(this);

    /// <summary>Drops every series.</summary>
    public void Clear()
    {
        lock (gate)
        {
            series.Clear();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Series> Select(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers)
    {
        var result = new List<Series>();
        lock (gate)
        {
            foreach (var (labels, samples) in series)
            {
                if (!MatchesAll(labels, matchers))
                {
                    continue;
                }
                var from = LowerBound(samples, minTimeMs);
                var to = maxTimeMs == long.MaxValue ? samples.Count : LowerBound(samples, maxTimeMs + 1);
                if (to > from)
                {
                    result.Add(new Series(labels, samples.GetRange(from, to - from)));
                }
            }
        }
        result.Sort(static (a, b) => Labels.Compare(a.Labels, b.Labels));
        return result;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> LabelNames(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers) =>
        [.. Select(minTimeMs, maxTimeMs, matchers).SelectMany(s => s.Labels.Select(l => l.Name)).Distinct().Order(StringComparer.Ordinal)];

    /// <inheritdoc />
    public IReadOnlyList<string> LabelValues(string name, long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers) =>
        [.. Select(minTimeMs, maxTimeMs, matchers).Select(s => s.Labels.Get(name)).Where(v => v.Length > 0).Distinct().Order(StringComparer.Ordinal)];

    internal static bool MatchesAll(Labels labels, IReadOnlyList<LabelMatcher> matchers)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(labels.Get(m.Name)))
            {
                return false;
            }
        }
        return true;
    }

    private static int LowerBound(List<Sample> samples, long t)
    {
        var lo = 0;
        var hi = samples.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (samples[mid].TimestampMs < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private sealed class MemoryAppender(MemorySampleStore store) : ISampleAppender
    {
        private readonly List<(Labels Labels, Sample Sample)> pending = [];

        public void Append(Labels labels, long timestampMs, double value) => pending.Add((labels, new Sample(timestampMs, value)));

        public ValueTask<AppendResult> CommitAsync(CancellationToken cancellationToken = default)
        {
            var appended = 0;
            var invalid = 0;
            lock (store.gate)
            {
                foreach (var (labels, sample) in pending)
                {
                    if (labels.MetricName.Length == 0)
                    {
                        invalid++;
                        continue;
                    }
                    if (!store.series.TryGetValue(labels, out var samples))
                    {
                        samples = [];
                        store.series[labels] = samples;
                    }
                    var i = LowerBound(samples, sample.TimestampMs);
                    if (i < samples.Count && samples[i].TimestampMs == sample.TimestampMs)
                    {
                        samples[i] = sample;
                    }
                    else
                    {
                        samples.Insert(i, sample);
                    }
                    appended++;
                }
            }
            pending.Clear();
            return ValueTask.FromResult(new AppendResult(appended, 0, 0, invalid));
        }
    }
}
