using Microsoft.Win32.SafeHandles;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// The write side of the write-ahead log: numbered segment files (<c>wal/00000001</c>, ...) of
/// framed records. <see cref="Write"/> hands bytes to the OS in the caller's order;
/// <see cref="SyncAsync"/> returns once they are fsynced. Concurrent callers share one fsync
/// (group commit): whoever finds no flush running becomes the leader and syncs everything
/// written so far; the others wait for it, then re-check.
/// </summary>
internal sealed class WalLog : IDisposable
{
    private readonly string directory;
    private readonly long segmentSize;
    private readonly Lock gate = new();
    private readonly List<SafeFileHandle> retired = [];
    private SafeFileHandle current;
    private long currentSize;
    private long closedSegmentsBytes;
    private long writtenSeq;
    private long durableSeq;
    private bool flushing;
    private TaskCompletionSource? nextFlush;
    private TaskCompletionSource? written;
    private long fsyncs;

    private WalLog(string directory, long segmentSize, int firstIndex, long existingBytes)
    {
        this.directory = directory;
        this.segmentSize = segmentSize;
        CurrentIndex = firstIndex;
        closedSegmentsBytes = existingBytes;
        current = OpenSegment(firstIndex);
    }

    public int CurrentIndex { get; private set; }

    public long Fsyncs => Interlocked.Read(ref fsyncs);

    public long SizeBytes
    {
        get
        {
            lock (gate)
            {
                return closedSegmentsBytes + currentSize;
            }
        }
    }

    /// <summary>Starts a fresh segment after the existing ones; a reopened store never appends to a segment it repaired.</summary>
    public static WalLog Open(string directory, long segmentSize)
    {
        Directory.CreateDirectory(directory);
        var segments = WalFiles.Segments(directory);
        var last = segments.Count > 0 ? segments[^1].Index : 0;
        return new WalLog(directory, segmentSize, last + 1, segments.Sum(s => new FileInfo(s.Path).Length));
    }

    /// <summary>Appends framed records to the current segment; returns the sequence number to pass to <see cref="SyncAsync"/>.</summary>
    public long Write(ReadOnlySpan<byte> frames)
    {
        lock (gate)
        {
            if (currentSize > 0 && currentSize + frames.Length > segmentSize)
            {
                RotateLocked();
            }
            RandomAccess.Write(current, frames, currentSize);
            currentSize += frames.Length;
            SignalWrittenLocked();
            return ++writtenSeq;
        }
    }

    /// <summary>
    /// A task that completes at the next write or rotation. Readers that tail the log (remote
    /// write) take it before they read, so a write between their read and their wait is not missed.
    /// </summary>
    public Task Changed()
    {
        lock (gate)
        {
            written ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return written.Task;
        }
    }

    /// <summary>Waits until everything up to <paramref name="seq"/> is on disk.</summary>
    public async ValueTask SyncAsync(long seq)
    {
        while (true)
        {
            Task? wait = null;
            SafeFileHandle? handle = null;
            long target = 0;
            lock (gate)
            {
                if (durableSeq >= seq)
                {
                    return;
                }
                if (flushing)
                {
                    nextFlush ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = nextFlush.Task;
                }
                else
                {
                    flushing = true;
                    target = writtenSeq;
                    handle = current;
                }
            }
            if (wait is not null)
            {
                await wait.ConfigureAwait(false);
                continue;
            }
            TaskCompletionSource? waiters;
            try
            {
                RandomAccess.FlushToDisk(handle!);
                Interlocked.Increment(ref fsyncs);
            }
            finally
            {
                lock (gate)
                {
                    durableSeq = Math.Max(durableSeq, target);
                    flushing = false;
                    waiters = nextFlush;
                    nextFlush = null;
                    DisposeRetiredLocked();
                }
                // Waiters re-check and one of them leads the next flush, so a failed fsync is retried, not hidden.
                waiters?.TrySetResult();
            }
        }
    }

    /// <summary>Closes the current segment (fsynced) and starts the next; returns the index of the closed one.</summary>
    public int Rotate()
    {
        lock (gate)
        {
            var closed = CurrentIndex;
            RotateLocked();
            return closed;
        }
    }

    /// <summary>Deletes segments with an index up to <paramref name="index"/> (a checkpoint now covers them).</summary>
    public void DeleteSegmentsThrough(int index)
    {
        foreach (var (i, path) in WalFiles.Segments(directory))
        {
            if (i <= index && i != CurrentIndex)
            {
                var length = new FileInfo(path).Length;
                File.Delete(path);
                lock (gate)
                {
                    closedSegmentsBytes -= length;
                }
            }
        }
    }

    /// <summary>
    /// Syncs and closes the log. Commits still waiting for their fsync are released (this sync
    /// covers them); a running leader closes the handle it holds when it finishes.
    /// </summary>
    public void Dispose()
    {
        lock (gate)
        {
            RandomAccess.FlushToDisk(current);
            durableSeq = writtenSeq;
            retired.Add(current);
            if (!flushing)
            {
                DisposeRetiredLocked();
            }
        }
    }

    private void RotateLocked()
    {
        // Everything written so far is in the closing segment: one fsync makes it all durable.
        RandomAccess.FlushToDisk(current);
        Interlocked.Increment(ref fsyncs);
        durableSeq = writtenSeq;
        if (flushing)
        {
            retired.Add(current); // the running leader still holds this handle
        }
        else
        {
            current.Dispose();
        }
        closedSegmentsBytes += currentSize;
        currentSize = 0;
        CurrentIndex++;
        current = OpenSegment(CurrentIndex);
        SignalWrittenLocked();
    }

    private void SignalWrittenLocked()
    {
        if (written is { } w)
        {
            written = null;
            w.TrySetResult();
        }
    }

    private void DisposeRetiredLocked()
    {
        foreach (var h in retired)
        {
            h.Dispose();
        }
        retired.Clear();
    }

    private SafeFileHandle OpenSegment(int index) =>
        File.OpenHandle(WalFiles.SegmentPath(directory, index), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
}
