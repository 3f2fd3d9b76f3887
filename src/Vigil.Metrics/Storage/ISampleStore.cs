namespace Vigil.Metrics.Storage;

/// <summary>A series with its samples inside a queried time range, sorted by timestamp.</summary>
/// <param name="Labels">The series' labels, including <c>__name__</c>.</param>
/// <param name="Samples">Samples in ascending timestamp order; staleness markers included.</param>
public sealed record Series(Labels Labels, IReadOnlyList<Sample> Samples);

/// <summary>A series from <see cref="ISampleQuerier.SelectLazy"/>, whose samples may be decoded only when read.</summary>
/// <param name="labels">The series' labels, including <c>__name__</c>.</param>
public abstract class LazySeries(Labels labels)
{
    /// <summary>The series' labels, including <c>__name__</c>.</summary>
    public Labels Labels { get; } = labels;

    /// <summary>
    /// The samples in the queried range, ascending, staleness markers included: either held by the
    /// series, or decoded into <paramref name="scratch"/> (cleared first), which is then returned
    /// and valid until it is used again.
    /// </summary>
    public abstract IReadOnlyList<Sample> Read(List<Sample> scratch);

    /// <summary>A series whose samples are already decoded.</summary>
    public static LazySeries Of(Series series) => new Decoded(series);

    private sealed class Decoded(Series series) : LazySeries(series.Labels)
    {
        public override IReadOnlyList<Sample> Read(List<Sample> scratch) => series.Samples;
    }
}

/// <summary>Read access to stored samples, as PromQL and the Prometheus-compatible API need it.</summary>
public interface ISampleQuerier
{
    /// <summary>
    /// Every series that matches all <paramref name="matchers"/> and has at least one sample in
    /// [<paramref name="minTimeMs"/>, <paramref name="maxTimeMs"/>] (inclusive), with its samples
    /// in that range, ordered by labels (<see cref="Labels.Compare"/>) as Prometheus's storage returns
    /// them: aggregations add floats in this order, so it decides their last digits.
    /// </summary>
    IReadOnlyList<Series> Select(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers);

    /// <summary>
    /// As <see cref="Select"/>, but a store may leave a series' samples encoded until
    /// <see cref="LazySeries.Read"/>: the PromQL engine reads 10,000 series one after the other,
    /// and then needs one series' samples at a time instead of all of them at once. Unlike
    /// <see cref="Select"/>, the result may include series that turn out to have no sample in the range.
    /// </summary>
    IReadOnlyList<LazySeries> SelectLazy(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers) =>
        [.. Select(minTimeMs, maxTimeMs, matchers).Select(LazySeries.Of)];

    /// <summary>Sorted label names of series that match and have samples in the range (all series when no matchers).</summary>
    IReadOnlyList<string> LabelNames(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers);

    /// <summary>Sorted values of label <paramref name="name"/> among matching series with samples in the range.</summary>
    IReadOnlyList<string> LabelValues(string name, long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers);
}

/// <summary>The outcome of committing a batch of appended samples.</summary>
/// <param name="Appended">Samples accepted (and durable when the store has a write-ahead log).</param>
/// <param name="OutOfOrder">Samples rejected because they are older than the out-of-order window allows.</param>
/// <param name="Duplicates">Samples rejected because a different value exists at the same timestamp.</param>
/// <param name="Invalid">Samples rejected for invalid labels (no metric name, bad label name).</param>
public readonly record struct AppendResult(int Appended, int OutOfOrder, int Duplicates, int Invalid)
{
    /// <summary>Samples not accepted, for any reason.</summary>
    public int Rejected => OutOfOrder + Duplicates + Invalid;
}

/// <summary>
/// A batch of samples to write. Samples are buffered by <see cref="Append"/> and become visible
/// (and, for a durable store, survive a crash) only once <see cref="CommitAsync"/> returns.
/// </summary>
public interface ISampleAppender
{
    /// <summary>Buffers one sample for <paramref name="labels"/>.</summary>
    void Append(Labels labels, long timestampMs, double value);

    /// <summary>Writes the buffered samples; a durable store returns only after they are on disk.</summary>
    ValueTask<AppendResult> CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>A store of samples that can be queried and appended to.</summary>
public interface ISampleStore : ISampleQuerier
{
    /// <summary>Starts a new batch of appends.</summary>
    ISampleAppender Appender();
}
