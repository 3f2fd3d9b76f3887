namespace Vigil.Metrics.Exposition;

/// <summary>One sample line of an exposition.</summary>
/// <param name="Labels">The series' labels including <c>__name__</c>; labels with empty values are dropped.</param>
/// <param name="Value">The value; may be NaN or ±Inf.</param>
/// <param name="TimestampMs">The exposed timestamp in milliseconds since the epoch, or null when none was given.</param>
public readonly record struct ExposedSample(Labels Labels, double Value, long? TimestampMs);

/// <summary>The samples and metric family metadata of one parsed exposition.</summary>
/// <param name="Samples">Samples in the order they were exposed.</param>
/// <param name="Metadata">One entry per family named in a <c># HELP</c>, <c># TYPE</c> or <c># UNIT</c> line, in order of first mention.</param>
public sealed record ExpositionResult(IReadOnlyList<ExposedSample> Samples, IReadOnlyList<MetricMetadata> Metadata);

/// <summary>An exposition that could not be parsed; <see cref="Exception.Message"/> reads <c>line 12: invalid label name "1a"</c>.</summary>
public sealed class ExpositionException : FormatException
{
    /// <summary>Creates the error for a 1-based line number and a reason.</summary>
    public ExpositionException(int line, string reason)
        : base($"line {line}: {reason}")
    {
        Line = line;
        Reason = reason;
    }

    /// <summary>The 1-based line where parsing stopped.</summary>
    public int Line { get; }

    /// <summary>What was wrong, without the line number.</summary>
    public string Reason { get; }
}
