namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>What the head does with one appended sample.</summary>
internal enum AppendVerdict
{
    /// <summary>Newer than the series' newest sample (or the series' first): appended to its open chunk.</summary>
    InOrder,
    /// <summary>Older than the newest sample but inside the out-of-order window: kept aside and merged at read time.</summary>
    OutOfOrder,
    /// <summary>The same value already exists at this timestamp: accepted without writing, as Prometheus does.</summary>
    SameAsExisting,
    /// <summary>A different value already exists at this timestamp: rejected.</summary>
    Duplicate,
    /// <summary>Older than the newest sample minus the out-of-order window: rejected.</summary>
    TooOld,
}

/// <summary>The append decision, free of storage: see <see cref="Classify"/>.</summary>
internal static class AppendRules
{
    /// <summary>
    /// Classifies a sample against its series' newest sample. A series with no samples takes any
    /// timestamp: that is what lets an empty store import history from 1970 while other series
    /// already have recent data (we deliberately drop Prometheus's head-wide minimum valid time).
    /// Prometheus accepts an out-of-order sample when <c>t &gt;= maxt - window</c>, and compares
    /// values by their bits (so NaN equals the same NaN). <see cref="AppendVerdict.OutOfOrder"/>
    /// still has to be checked against the value stored at that timestamp with <see cref="ResolveOutOfOrder"/>.
    /// </summary>
    public static AppendVerdict Classify(bool hasSamples, long maxTime, double lastValue, long t, double v, long outOfOrderWindowMs)
    {
        if (!hasSamples || t > maxTime)
        {
            return AppendVerdict.InOrder;
        }
        if (t == maxTime)
        {
            return SameBits(lastValue, v) ? AppendVerdict.SameAsExisting : AppendVerdict.Duplicate;
        }
        if (outOfOrderWindowMs <= 0 || t < maxTime - outOfOrderWindowMs)
        {
            return AppendVerdict.TooOld;
        }
        return AppendVerdict.OutOfOrder;
    }

    /// <summary>An out-of-order sample against the value already stored at its timestamp, if any.</summary>
    public static AppendVerdict ResolveOutOfOrder(double? existing, double v) => existing switch
    {
        null => AppendVerdict.OutOfOrder,
        var e when SameBits(e.Value, v) => AppendVerdict.SameAsExisting,
        _ => AppendVerdict.Duplicate,
    };

    /// <summary>
    /// A sample too old to append that repeats what the head already holds at its timestamp is
    /// accepted without writing: a sender resending a batch whose answer it never got (a timeout, a
    /// 507 while the disk was full) is told it landed, not "out of order" for its own samples.
    /// Prometheus answers that resend 400; accepting it changes nothing stored.
    /// </summary>
    public static AppendVerdict ResolveTooOld(double? existing, double v) =>
        existing is { } e && SameBits(e, v) ? AppendVerdict.SameAsExisting : AppendVerdict.TooOld;

    private static bool SameBits(double a, double b) => BitConverter.DoubleToUInt64Bits(a) == BitConverter.DoubleToUInt64Bits(b);
}
