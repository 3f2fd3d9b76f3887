using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Vigil.Metrics.Scrape;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.RemoteWrite.Forwarding;

/// <summary>
/// Forwards every sample the store writes to one remote-write endpoint, reading the WAL as
/// Prometheus's queue manager does (https://prometheus.io/docs/practices/remote_write/: "Each
/// remote write destination starts a queue which reads from the write-ahead log"). A round reads
/// up to capacity x shards samples, applies <c>write_relabel_configs</c>, spreads the series over
/// the shards (one series always in the same shard, so its samples stay in order), sends each
/// shard's samples in requests of at most <c>max_samples_per_send</c>, and when every request of
/// the round is answered saves the read position in <c>wal/remote-write-NAME.position</c>.
/// A restart resumes there, so what was acknowledged to a writer and not yet acknowledged by the
/// endpoint is sent after the restart (at worst twice, which remote stores deduplicate). The store
/// keeps WAL segments from that position on (<see cref="TsdbStore.RetainWalSegments"/>).
/// </summary>
/// <remarks>
/// Retries follow Prometheus 2.42's queue manager: a network error, a timeout or a 5xx is retried
/// after a backoff that starts at <c>min_backoff</c> and doubles up to <c>max_backoff</c>, for as
/// long as it takes; a 429 likewise only with <c>retry_on_http_429</c>; any other answer outside
/// 2xx drops the request's samples and counts them as failed (Prometheus's
/// <c>prometheus_remote_storage_samples_failed_total</c>, "non-recoverable errors"). The number
/// of shards doubles (up to <c>max_shards</c>) while rounds come back full, and halves (down to
/// <c>min_shards</c>) when the queue has caught up.
/// </remarks>
public sealed class RemoteWriteQueue : IAsyncDisposable
{
    /// <summary>The <c>User-Agent</c> of every request.</summary>
    public const string UserAgent = "Vigil-remote-write";

    private readonly TsdbStore store;
    private readonly HttpClient http;
    private readonly TimeProvider time;
    private readonly Action<string> log;
    private readonly string positionFile;
    private readonly Func<int?> retention;
    private readonly CancellationTokenSource stopping = new();
    private readonly Dictionary<Labels, Labels?> relabelled = [];
    private Task loop = Task.CompletedTask;
    private WalPosition position;
    private long samplesTotal;
    private long failedTotal;
    private long retriedTotal;
    private long droppedTotal;
    private long highestRead;
    private long highestSent;
    private int shards;

    private RemoteWriteQueue(TsdbStore store, RemoteWriteQueueOptions options, HttpClient http, TimeProvider time, Action<string> log)
    {
        this.store = store;
        Options = options;
        this.http = http;
        this.time = time;
        this.log = log;
        shards = Math.Max(1, options.MinShards);
        positionFile = Path.Combine(store.WalDirectory, $"remote-write-{options.Name}.position");
        position = LoadPosition(positionFile) ?? new WalPosition(store.FirstSegmentOfProcess, 0);
        retention = () => Volatile.Read(ref position).Segment;
        store.RetainWalSegments(retention);
    }

    /// <summary>The endpoint and its settings.</summary>
    public RemoteWriteQueueOptions Options { get; }

    /// <summary>
    /// Registers the queue's WAL position with the store (so truncation keeps what it has not
    /// sent) and starts it. A queue that has no position file yet starts with the first segment
    /// this process wrote.
    /// </summary>
    public static RemoteWriteQueue Start(TsdbStore store, RemoteWriteQueueOptions options, HttpClient http, TimeProvider time, Action<string>? log = null)
    {
        var queue = new RemoteWriteQueue(store, options, http, time, log ?? (_ => { }));
        SavePosition(queue.positionFile, queue.position);
        queue.loop = Task.Run(() => queue.RunAsync(queue.stopping.Token));
        return queue;
    }

    /// <summary>A snapshot of the counters.</summary>
    public RemoteWriteQueueStats Stats => new(
        Interlocked.Read(ref samplesTotal),
        Interlocked.Read(ref failedTotal),
        Interlocked.Read(ref retriedTotal),
        Interlocked.Read(ref droppedTotal),
        Interlocked.Read(ref highestRead),
        Interlocked.Read(ref highestSent),
        Volatile.Read(ref shards),
        Volatile.Read(ref position));

    /// <summary>Stops reading and sending; requests in flight are abandoned and sent again by the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        store.ReleaseWalSegments(retention);
        stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var tail = new WalTail(store.WalDirectory, position);
        var read = new List<(Labels Labels, long T, double V)>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var changed = store.WalChanged();
            read.Clear();
            var limit = Options.Capacity * shards;
            int unknown;
            try
            {
                unknown = tail.Read(limit, read);
            }
            catch (IOException e)
            {
                log($"remote_write {Options.Name}: reading the WAL failed: {e.Message}");
                await Task.Delay(Options.MaxBackoff, time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            Interlocked.Add(ref droppedTotal, unknown);
            if (read.Count == 0 && tail.Position == position)
            {
                Volatile.Write(ref shards, Math.Max(Options.MinShards, 1));
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            await SendRoundAsync(read, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref position, tail.Position);
            SavePosition(positionFile, tail.Position);
            var next = read.Count >= limit ? shards * 2 : shards / 2;
            Volatile.Write(ref shards, Math.Clamp(next, Math.Max(Options.MinShards, 1), Math.Max(Options.MaxShards, 1)));
        }
    }

    private async Task SendRoundAsync(List<(Labels Labels, long T, double V)> samples, CancellationToken cancellationToken)
    {
        var count = Math.Max(1, Volatile.Read(ref shards));
        var perShard = new List<(Labels Labels, long T, double V)>[count];
        var relabel = Options.WriteRelabelConfigs.Count > 0;
        long maxTime = long.MinValue;
        foreach (var (labels, t, v) in samples)
        {
            maxTime = Math.Max(maxTime, t);
            var sent = labels;
            if (relabel && !relabelled.TryGetValue(labels, out sent))
            {
                sent = Relabeling.Process(labels, Options.WriteRelabelConfigs);
                relabelled[labels] = sent;
            }
            if (sent is null)
            {
                Interlocked.Increment(ref droppedTotal);
                continue;
            }
            var shard = count == 1 ? 0 : (int)((uint)labels.GetHashCode() % (uint)count);
            (perShard[shard] ??= new List<(Labels Labels, long T, double V)>(samples.Count / count + 1)).Add((sent, t, v));
        }
        if (maxTime != long.MinValue)
        {
            InterlockedMax(ref highestRead, maxTime);
        }
        if (relabelled.Count > 1_000_000)
        {
            relabelled.Clear();
        }
        await Task.WhenAll(perShard.Where(s => s is not null).Select(s => SendShardAsync(s!, cancellationToken))).ConfigureAwait(false);
    }

    private async Task SendShardAsync(List<(Labels Labels, long T, double V)> samples, CancellationToken cancellationToken)
    {
        var size = Math.Max(1, Options.MaxSamplesPerSend);
        for (var i = 0; i < samples.Count; i += size)
        {
            await SendBatchAsync(samples.GetRange(i, Math.Min(size, samples.Count - i)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendBatchAsync(List<(Labels Labels, long T, double V)> batch, CancellationToken cancellationToken)
    {
        // One Labels instance per series (the WAL tail's, or the relabel cache's), so grouping compares references.
        var series = new Dictionary<Labels, List<Sample>>(batch.Count, ReferenceEqualityComparer.Instance);
        long maxTime = long.MinValue;
        foreach (var (labels, t, v) in batch)
        {
            if (!series.TryGetValue(labels, out var list))
            {
                series[labels] = list = new List<Sample>(1);
            }
            list.Add(new Sample(t, v));
            maxTime = Math.Max(maxTime, t);
        }
        var body = RemoteWriteEncoder.Encode(new WriteRequest([.. series.Select(s => new TimeSeries(s.Key, s.Value))], []));
        var backoff = Options.MinBackoff;
        while (true)
        {
            string problem;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, Options.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteEncoder.ContentType);
                request.Content.Headers.ContentEncoding.Add("snappy");
                request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
                request.Headers.TryAddWithoutValidation("X-Prometheus-Remote-Write-Version", RemoteWriteEncoder.VersionHeader);
                foreach (var (name, value) in Options.Headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
                if (Options.Authorization() is { } authorization)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Options.RemoteTimeout);
                using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref samplesTotal, batch.Count);
                    InterlockedMax(ref highestSent, maxTime);
                    return;
                }
                var text = await ReadSomeAsync(response, timeout.Token).ConfigureAwait(false);
                problem = string.Create(CultureInfo.InvariantCulture, $"HTTP {status}: {text}");
                if (!(status >= 500 || (response.StatusCode == HttpStatusCode.TooManyRequests && Options.RetryOnHttp429)))
                {
                    Interlocked.Add(ref failedTotal, batch.Count);
                    log($"remote_write {Options.Name}: {batch.Count} samples dropped, not retried: {problem}");
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                problem = e.Message;
            }
            Interlocked.Add(ref retriedTotal, batch.Count);
            log($"remote_write {Options.Name}: {batch.Count} samples will be retried in {backoff.TotalMilliseconds} ms: {problem}");
            await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, Options.MaxBackoff.Ticks));
        }
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length > 256 ? text[..256] : text.Trim();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    /// <summary>The saved position, or null when there is none or it does not parse (then the queue starts again from the oldest kept segment: duplicates, no loss).</summary>
    private static WalPosition? LoadPosition(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var segment) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var offset)
            ? new WalPosition(segment, offset)
            : new WalPosition(0, 0);
    }

    private static void SavePosition(string path, WalPosition position)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, string.Create(CultureInfo.InvariantCulture, $"{position.Segment} {position.Offset}\n"));
        File.Move(tmp, path, overwrite: true);
    }
}
