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
            try
            {
                RandomAccess.Write(current, frames, currentSize);
            }
            catch (IOException)
            {
                // A disk that fills mid-write may keep part of the frames: cut them off, so the
                // segment ends at its last whole record and the next write continues from there
                // (a stray partial frame would read as damage in a segment that is not the last).
                TryTruncateLocked();
                throw;
            }
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
            var synced = false;
            try
            {
                RandomAccess.FlushToDisk(handle!);
                Interlocked.Increment(ref fsyncs);
                synced = true;
            }
            finally
            {
                lock (gate)
                {
                    // Only a flush that succeeded makes anything durable: after a failed one its
                    // waiters find their records still not durable and one of them flushes again.
                    if (synced)
                    {
                        durableSeq = Math.Max(durableSeq, target);
                    }
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
        // The next segment is opened before the current one is let go: when that fails (no space
        // for a new file) the log stays on the current segment, whole, and the write is refused.
        var next = OpenSegment(CurrentIndex + 1);
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
        current = next;
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

    private void TryTruncateLocked()
    {
        try
        {
            RandomAccess.SetLength(current, currentSize);
        }
        catch (IOException)
        {
            // Shrinking needs no space and does not fail for lack of it; a replay still stops at
            // the torn frame, in the newest segment, where a torn tail is expected.
        }
    }

    private SafeFileHandle OpenSegment(int index) =>
        File.OpenHandle(WalFiles.SegmentPath(directory, index), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
}
