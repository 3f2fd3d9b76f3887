using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// A block opened for reading (format: <see cref="BlockFormat"/>). Postings and symbols are
/// loaded into memory; each series stays in its compact encoded form (label symbol refs and
/// chunk refs, tens of bytes) and is decoded only when a query selects it; chunk bytes are read
/// from the <c>chunks</c> file on demand. Queries hold a reference
/// so retention can retire a block without pulling the file from under a running read.
/// </summary>
internal sealed class Block : IPostingsIndex, IDisposable
{
    private readonly string[] symbols;
    private readonly byte[] seriesData;
    private readonly int[] seriesOffsets;
    private readonly Dictionary<string, Dictionary<string, int[]>> postings;
    private readonly int[] all;
    private readonly SafeFileHandle chunkFile;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, bool> damagedChunks = new();
    private int references = 1;
    private bool retired;

    private Block(string path, Guid id, long minTime, long maxTime, long sizeBytes, string[] symbols, byte[] seriesData, int[] seriesOffsets, Dictionary<string, Dictionary<string, int[]>> postings)
    {
        Path = path;
        Id = id;
        MinTime = minTime;
        MaxTime = maxTime;
        SizeBytes = sizeBytes;
        this.symbols = symbols;
        this.seriesData = seriesData;
        this.seriesOffsets = seriesOffsets;
        this.postings = postings;
        all = [.. Enumerable.Range(0, seriesOffsets.Length)];
        chunkFile = File.OpenHandle(System.IO.Path.Combine(path, "chunks"), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
    }

    public string Path { get; }

    /// <summary>Where damage this block finds in its chunks is reported; null reports nothing (a check that only counts).</summary>
    public BlockDamageLog? DamageLog { get; set; }

    public Guid Id { get; }

    public long MinTime { get; }

    /// <summary>Exclusive end of the block's range.</summary>
    public long MaxTime { get; }

    public long SizeBytes { get; }

    public int SeriesCount => seriesOffsets.Length;

    /// <summary>Offsets of the chunks found damaged so far, in the <c>chunks</c> file.</summary>
    public IReadOnlyList<long> DamagedChunks => [.. damagedChunks.Keys.Order()];

    public BlockExtent Extent => new(Id, MinTime, MaxTime, SizeBytes);

    public IReadOnlyList<int> AllPostings => all;

    public IEnumerable<string> ValuesOf(string name) => postings.TryGetValue(name, out var v) ? v.Keys : [];

    public IReadOnlyList<int> PostingsFor(string name, string value) =>
        postings.TryGetValue(name, out var v) && v.TryGetValue(value, out var ids) ? ids : [];

    public static Block Open(string path)
    {
        using var meta = JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(path, "meta.json")));
        var root = meta.RootElement;
        var id = Guid.ParseExact(root.GetProperty("id").GetString()!, "N");
        var minTime = root.GetProperty("minTime").GetInt64();
        var maxTime = root.GetProperty("maxTime").GetInt64();

        var data = File.ReadAllBytes(System.IO.Path.Combine(path, "index"));
        if (data.Length < 9 || Crc32C.Compute(data.AsSpan(0, data.Length - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4)))
        {
            throw new InvalidDataException($"Block index {path} fails its checksum.");
        }
        var src = new ByteSource(data.AsSpan(0, data.Length - 4));
        if (src.UInt32() != BlockFormat.IndexMagic || src.Byte() != BlockFormat.Version)
        {
            throw new InvalidDataException($"Block index {path} has an unknown format.");
        }
        var symbols = new string[src.Count()];
        for (var i = 0; i < symbols.Length; i++)
        {
            symbols[i] = src.String();
        }
        var seriesOffsets = new int[src.Count()];
        var seriesStart = src.Position;
        for (var i = 0; i < seriesOffsets.Length; i++)
        {
            // Walk (and so validate) each series once; keep only where it starts.
            seriesOffsets[i] = src.Position - seriesStart;
            var labelCount = src.Count();
            for (var j = 0; j < labelCount * 2; j++)
            {
                src.Below(symbols.Length);
            }
            var chunkCount = src.Count();
            for (var j = 0; j < chunkCount; j++)
            {
                src.Varint();
                src.Varint();
                src.Uvarint();
                src.Below(1 << 24);
            }
        }
        var seriesData = data.AsSpan(seriesStart, src.Position - seriesStart).ToArray();
        var postings = new Dictionary<string, Dictionary<string, int[]>>(StringComparer.Ordinal);
        var pairs = src.Count();
        for (var i = 0; i < pairs; i++)
        {
            var name = symbols[src.Below(symbols.Length)];
            var value = symbols[src.Below(symbols.Length)];
            var ids = new int[src.Count()];
            var prev = 0;
            for (var j = 0; j < ids.Length; j++)
            {
                prev += (int)src.Uvarint();
                ids[j] = prev;
            }
            if (!postings.TryGetValue(name, out var values))
            {
                postings[name] = values = new Dictionary<string, int[]>(StringComparer.Ordinal);
            }
            values[value] = ids;
        }
        var size = Directory.EnumerateFiles(path).Sum(f => new FileInfo(f).Length);
        return new Block(path, id, minTime, maxTime, size, symbols, seriesData, seriesOffsets, postings);
    }

    /// <summary>Takes a reference for a read; false once the block is retired.</summary>
    public bool TryAcquire()
    {
        lock (postings)
        {
            if (retired)
            {
                return false;
            }
            references++;
            return true;
        }
    }

    public void Release()
    {
        bool close;
        lock (postings)
        {
            close = --references == 0;
        }
        if (close)
        {
            chunkFile.Dispose();
            if (retired)
            {
                Directory.Delete(Path, recursive: true);
            }
        }
    }

    /// <summary>Deletes the block once the last reader is done.</summary>
    public void Retire()
    {
        lock (postings)
        {
            retired = true;
        }
        Release();
    }

    /// <summary>Closes the block without deleting it (store shutdown).</summary>
    public void Dispose() => Release();

    /// <summary>Matching series with their samples in [minT, maxT].</summary>
    public IEnumerable<(Labels Labels, List<Sample> Samples)> Select(long minT, long maxT, IReadOnlyList<LabelMatcher> matchers)
    {
        if (minT >= MaxTime || maxT < MinTime)
        {
            yield break;
        }
        foreach (var ordinal in Postings.Select(this, matchers))
        {
            var refs = new List<ChunkRef>();
            var labels = ReadSeries(ordinal, minT, maxT, refs);
            if (refs.Count == 0)
            {
                continue;
            }
            var chunks = ReadChunks(refs);
            var capacity = 0;
            foreach (var chunk in chunks)
            {
                capacity += XorChunkReader.SampleCount(chunk.Data);
            }
            var samples = new List<Sample>(capacity);
            foreach (var chunk in chunks)
            {
                XorChunkReader.Decode(chunk.Data, minT, maxT, samples);
            }
            if (samples.Count > 0)
            {
                yield return (labels, samples);
            }
        }
    }

    /// <summary>Labels of matching series with a chunk overlapping [minT, maxT].</summary>
    public IEnumerable<Labels> SelectLabels(long minT, long maxT, IReadOnlyList<LabelMatcher> matchers)
    {
        if (minT >= MaxTime || maxT < MinTime)
        {
            yield break;
        }
        foreach (var ordinal in Postings.Select(this, matchers))
        {
            var refs = new List<ChunkRef>();
            var labels = ReadSeries(ordinal, minT, maxT, refs);
            if (refs.Count > 0)
            {
                yield return labels;
            }
        }
    }

    /// <summary>Every series with all its chunks, in label order (for merging blocks).</summary>
    public IEnumerable<BlockSeries> AllSeries()
    {
        for (var ordinal = 0; ordinal < seriesOffsets.Length; ordinal++)
        {
            var refs = new List<ChunkRef>();
            var labels = ReadSeries(ordinal, long.MinValue, long.MaxValue, refs);
            yield return new BlockSeries(labels, ReadChunks(refs));
        }
    }

    /// <summary>Reads and checks chunks; a series' chunks are contiguous in the file, so one read covers them.</summary>
    private List<HeadChunk> ReadChunks(List<ChunkRef> refs)
    {
        var result = new List<HeadChunk>(refs.Count);
        if (refs.Count == 0)
        {
            return result;
        }
        var start = refs[0].Offset;
        var buffer = new byte[refs[^1].Offset + refs[^1].Length + 4 - start];
        RandomAccess.Read(chunkFile, buffer, start);
        foreach (var r in refs)
        {
            var data = buffer.AsSpan((int)(r.Offset - start), r.Length);
            if (Crc32C.Compute(data) != BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan((int)(r.Offset - start) + r.Length)))
            {
                // Never silent, never fatal: the chunk's bytes are kept aside once, its samples left out.
                if (damagedChunks.TryAdd(r.Offset, true) && DamageLog is not null)
                {
                    var storeDir = System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(Path))!;
                    var what = $"chunk at byte {r.Offset} of {System.IO.Path.Combine(Path, "chunks")} fails its checksum; its samples from {DateTimeOffset.FromUnixTimeMilliseconds(r.MinTime):O} to {DateTimeOffset.FromUnixTimeMilliseconds(r.MaxTime):O} are left out of answers";
                    DamageLog.Add(DamageLedger.KeepChunk(storeDir, Path, r.Offset, buffer.AsSpan((int)(r.Offset - start), r.Length + 4), what));
                }
                continue;
            }
            result.Add(new HeadChunk(data.ToArray(), r.MinTime, r.MaxTime));
        }
        return result;
    }

    /// <summary>Decodes series <paramref name="ordinal"/>: its labels, and into <paramref name="refs"/> its chunks overlapping [minT, maxT].</summary>
    private Labels ReadSeries(int ordinal, long minT, long maxT, List<ChunkRef> refs)
    {
        var src = new ByteSource(seriesData.AsSpan(seriesOffsets[ordinal]));
        var labels = new Label[src.Count()];
        for (var j = 0; j < labels.Length; j++)
        {
            labels[j] = new Label(symbols[src.Below(symbols.Length)], symbols[src.Below(symbols.Length)]);
        }
        var chunkCount = src.Count();
        for (var j = 0; j < chunkCount; j++)
        {
            var c = new ChunkRef(src.Varint(), src.Varint(), (long)src.Uvarint(), src.Below(1 << 24));
            if (c.MinTime <= maxT && c.MaxTime >= minT)
            {
                refs.Add(c);
            }
        }
        return Labels.FromSorted(labels);
    }

    private readonly record struct ChunkRef(long MinTime, long MaxTime, long Offset, int Length);
}
