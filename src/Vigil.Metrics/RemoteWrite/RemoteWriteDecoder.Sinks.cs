using Vigil.Metrics.Exposition;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.RemoteWrite;

/// <summary>What <see cref="RemoteWriteDecoder.DecodeInto"/> found in a body.</summary>
/// <param name="Series">Series entries (Prometheus sends one per sample).</param>
/// <param name="Samples">Float samples handed to the appender.</param>
/// <param name="SkippedExemplars">Exemplars received and not kept.</param>
/// <param name="SkippedHistograms">Native histogram samples received and not kept (not supported yet).</param>
public readonly record struct RemoteWriteCounts(int Series, int Samples, int SkippedExemplars, int SkippedHistograms);

public static partial class RemoteWriteDecoder
{
    /// <summary>Where the decoder hands each series and metadata entry, in wire order.</summary>
    private interface IWriteRequestSink
    {
        /// <summary>A valid series; <paramref name="samples"/> is only valid during the call.</summary>
        void Series(Labels labels, ReadOnlySpan<Sample> samples, int skippedExemplars, int skippedHistograms);

        void Metadata(MetricMetadata metadata);
    }

    /// <summary>Builds a <see cref="WriteRequest"/>.</summary>
    private sealed class RequestSink : IWriteRequestSink
    {
        private readonly List<TimeSeries> series = [];
        private readonly List<MetricMetadata> metadata = [];

        public void Series(Labels labels, ReadOnlySpan<Sample> samples, int skippedExemplars, int skippedHistograms) =>
            series.Add(new TimeSeries(labels, samples.ToArray(), skippedExemplars, skippedHistograms));

        public void Metadata(MetricMetadata metadata) => this.metadata.Add(metadata);

        public WriteRequest ToWriteRequest() => new(series, metadata);
    }

    /// <summary>Appends every sample to an appender and counts.</summary>
    private sealed class AppenderSink(ISampleAppender appender, Action<MetricMetadata>? onMetadata) : IWriteRequestSink
    {
        public RemoteWriteCounts Counts { get; private set; }

        public void Series(Labels labels, ReadOnlySpan<Sample> samples, int skippedExemplars, int skippedHistograms)
        {
            foreach (var s in samples)
            {
                appender.Append(labels, s.TimestampMs, s.Value);
            }
            Counts = new RemoteWriteCounts(
                Counts.Series + 1, Counts.Samples + samples.Length, Counts.SkippedExemplars + skippedExemplars, Counts.SkippedHistograms + skippedHistograms);
        }

        public void Metadata(MetricMetadata metadata) => onMetadata?.Invoke(metadata);
    }

    /// <summary>
    /// Label strings of every decoder, shared so that all threads hand the head the same instances:
    /// the head then keeps the decoder's label set instead of a copy beside the one that
    /// <see cref="WireLabels"/> holds. It outlives a request on purpose (a sender repeats the same
    /// label values), and is only asked for series that <see cref="WireLabels"/> does not know, so
    /// its lock is rarely taken.
    /// </summary>
    private sealed class SharedStrings
    {
        private readonly Lock gate = new();
        private readonly LabelStringCache cache = new(16384);

        public static SharedStrings Instance { get; } = new();

        /// <summary>The string for <paramref name="utf8"/>, or null when it is not valid UTF-8.</summary>
        public string? Get(ReadOnlySpan<byte> utf8)
        {
            lock (gate)
            {
                return cache.Get(utf8);
            }
        }
    }

    /// <summary>Buffers reused by every decode on one thread (decoding never awaits), so a series entry costs no list of its own.</summary>
    private sealed class DecodeScratch
    {
        [ThreadStatic]
        private static DecodeScratch? current;

        public Range[] LabelFields { get; private set; } = new Range[16];

        public Sample[] Samples { get; private set; } = new Sample[4];


        private Label[] labels = new Label[16];

        public static DecodeScratch ForThisThread() => current ??= new DecodeScratch();

        /// <summary>Notes where a label field lies in its series message.</summary>
        public void AddLabelField(ref int count, Range field) => LabelFields = Append(LabelFields, ref count, field);

        /// <summary>Room for <paramref name="count"/> decoded labels.</summary>
        public Span<Label> LabelsFor(int count)
        {
            if (count > labels.Length)
            {
                labels = new Label[count];
            }
            return labels.AsSpan(0, count);
        }

        public void AddSample(ref int count, Sample sample) => Samples = Append(Samples, ref count, sample);

        /// <summary>Puts <paramref name="item"/> at <paramref name="count"/>, doubling the array when full; returns the array.</summary>
        private static T[] Append<T>(T[] items, ref int count, T item)
        {
            if (count == items.Length)
            {
                Array.Resize(ref items, count * 2);
            }
            items[count++] = item;
            return items;
        }
    }
}
