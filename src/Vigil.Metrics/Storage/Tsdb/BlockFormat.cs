using System.Buffers.Binary;
using System.Text.Json;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>One series as it goes into a block: labels and chunks in time order.</summary>
internal sealed record BlockSeries(Labels Labels, IReadOnlyList<HeadChunk> Chunks);

/// <summary>
/// Writes an immutable block directory (<c>blocks/&lt;id&gt;/</c>):
/// <list type="bullet">
/// <item><c>chunks</c>: magic <c>VCHK</c>, version byte, then each chunk's Gorilla bytes followed by their CRC-32C.</item>
/// <item><c>index</c>: magic <c>VIDX</c>, version byte; a symbol table (every label string once,
/// in order of first use); the series sorted by labels, each as symbol refs plus chunk refs (min
/// time, max time, offset, length); postings (for each label pair, the delta-encoded ordinals of
/// its series); a trailing CRC-32C of everything before it.</item>
/// <item><c>meta.json</c>: time range and counts, for operators and for retention.</item>
/// </list>
/// Everything is written into <c>&lt;id&gt;.tmp</c>, fsynced, then renamed, so a crash leaves either
/// no block or a whole one.
/// </summary>
internal static class BlockFormat
{
    public const uint ChunksMagic = 0x4B484356; // "VCHK"
    public const uint IndexMagic = 0x58444956; // "VIDX"
    public const byte Version = 1;

    /// <summary>
    /// Writes a block from series sorted by labels (<see cref="Labels.Compare"/>), streaming:
    /// chunk bytes go to disk as they come and only the compact index is held in memory, so
    /// merging large blocks does not load them whole. Returns the block's directory.
    /// </summary>
    public static string Write(string blocksDir, Guid id, long minTime, long maxTime, IEnumerable<BlockSeries> sortedSeries)
    {
        var final = Path.Combine(blocksDir, id.ToString("N"));
        var tmp = final + ".tmp";
        Directory.CreateDirectory(tmp);
        try
        {
            WriteInto(tmp, id, minTime, maxTime, sortedSeries);
        }
        catch (IOException)
        {
            // A full disk: the unfinished block goes now rather than at the next start, giving its
            // space back; the head keeps the samples and the next compaction tries again.
            TryDelete(tmp);
            throw;
        }
        Directory.Move(tmp, final);
        return final;
    }

    /// <summary>Removes an unfinished block or checkpoint directory; one that cannot go now goes at the next start.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void WriteInto(string tmp, Guid id, long minTime, long maxTime, IEnumerable<BlockSeries> sortedSeries)
    {

        var symbols = new Dictionary<string, int>(StringComparer.Ordinal);
        int Symbol(string s)
        {
            if (!symbols.TryGetValue(s, out var sym))
            {
                symbols[s] = sym = symbols.Count;
            }
            return sym;
        }
        var seriesSection = new ByteSink(4096);
        var postings = new Dictionary<(int Name, int Value), List<int>>();
        long samples = 0, chunkCount = 0;
        var seriesCount = 0;
        Labels? previous = null;
        using (var chunks = new FileStream(Path.Combine(tmp, "chunks"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            Span<byte> header = stackalloc byte[5];
            BinaryPrimitives.WriteUInt32LittleEndian(header, ChunksMagic);
            header[4] = Version;
            chunks.Write(header);
            Span<byte> crc = stackalloc byte[4];
            foreach (var s in sortedSeries)
            {
                if (s.Chunks.Count == 0)
                {
                    continue;
                }
                if (previous is not null && Labels.Compare(previous, s.Labels) >= 0)
                {
                    throw new ArgumentException($"Series must come sorted and unique: {s.Labels} after {previous}.", nameof(sortedSeries));
                }
                previous = s.Labels;
                var ordinal = seriesCount++;
                seriesSection.Uvarint((ulong)s.Labels.Count);
                foreach (var l in s.Labels.AsSpan())
                {
                    var name = Symbol(l.Name);
                    var value = Symbol(l.Value);
                    seriesSection.Uvarint((ulong)name);
                    seriesSection.Uvarint((ulong)value);
                    if (!postings.TryGetValue((name, value), out var list))
                    {
                        postings[(name, value)] = list = [];
                    }
                    list.Add(ordinal);
                }
                seriesSection.Uvarint((ulong)s.Chunks.Count);
                foreach (var c in s.Chunks)
                {
                    seriesSection.Varint(c.MinTime);
                    seriesSection.Varint(c.MaxTime);
                    seriesSection.Uvarint((ulong)chunks.Position);
                    seriesSection.Uvarint((ulong)c.Data.Length);
                    chunks.Write(c.Data);
                    BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Compute(c.Data));
                    chunks.Write(crc);
                    samples += XorChunkReader.SampleCount(c.Data);
                    chunkCount++;
                }
            }
            chunks.Flush(flushToDisk: true);
        }

        var index = new ByteSink(seriesSection.Length + 4096);
        index.UInt32(IndexMagic);
        index.Byte(Version);
        index.Uvarint((ulong)symbols.Count);
        foreach (var sym in symbols.OrderBy(x => x.Value))
        {
            index.String(sym.Key);
        }
        index.Uvarint((ulong)seriesCount);
        index.Raw(seriesSection.Span);
        index.Uvarint((ulong)postings.Count);
        foreach (var ((name, value), ordinals) in postings)
        {
            index.Uvarint((ulong)name);
            index.Uvarint((ulong)value);
            index.Uvarint((ulong)ordinals.Count);
            var prev = 0;
            foreach (var o in ordinals)
            {
                index.Uvarint((ulong)(o - prev));
                prev = o;
            }
        }
        index.UInt32(Crc32C.Compute(index.Span));
        WriteDurably(Path.Combine(tmp, "index"), index.Span);
        WriteDurably(Path.Combine(tmp, "meta.json"), Meta(id, minTime, maxTime, seriesCount, samples, chunkCount));
    }

    private static byte[] Meta(Guid id, long minTime, long maxTime, int series, long samples, long chunks)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("id", id.ToString("N"));
            w.WriteNumber("version", Version);
            w.WriteNumber("minTime", minTime);
            w.WriteNumber("maxTime", maxTime);
            w.WriteStartObject("stats");
            w.WriteNumber("numSeries", series);
            w.WriteNumber("numSamples", samples);
            w.WriteNumber("numChunks", chunks);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    private static void WriteDurably(string path, ReadOnlySpan<byte> data)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        fs.Write(data);
        fs.Flush(flushToDisk: true);
    }
}
