namespace Vigil.Metrics.Storage.Tsdb;

public sealed partial class TsdbStore
{
    /// <summary>
    /// Copies a consistent image of the store into <paramref name="targetDirectory"/> (which must
    /// not exist yet) while it keeps accepting writes: under the store lock the WAL moves to a new
    /// segment, so every sample committed before the call lies in a closed segment (or an
    /// existing checkpoint or block) that nothing writes to any more; maintenance is held off for
    /// the copy, so no block, checkpoint or segment is deleted under it. Opening the copy replays
    /// it like a store that stopped at that instant. Returns the number of bytes copied.
    /// </summary>
    /// <remarks>
    /// Prometheus does the same with hard links (<c>/api/v1/admin/tsdb/snapshot</c>); a copy is
    /// used here so the image may go to another file system.
    /// </remarks>
    public async Task<long> SnapshotAsync(string targetDirectory, CancellationToken cancellationToken = default)
    {
        if (System.IO.Directory.Exists(targetDirectory))
        {
            throw new IOException($"{targetDirectory} already exists");
        }
        await maintenance.WaitAsync(cancellationToken).ConfigureAwait(false);
        List<Block> held;
        int lastSegment;
        try
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                lastSegment = wal.Rotate();
                held = [.. blocks.Where(b => b.TryAcquire())];
            }
        }
        catch
        {
            maintenance.Release();
            throw;
        }
        try
        {
            long bytes = 0;
            var targetWal = Path.Combine(targetDirectory, "wal");
            var targetBlocks = Path.Combine(targetDirectory, "blocks");
            System.IO.Directory.CreateDirectory(targetWal);
            System.IO.Directory.CreateDirectory(targetBlocks);
            foreach (var block in held)
            {
                bytes += CopyDirectory(block.Path, Path.Combine(targetBlocks, Path.GetFileName(block.Path)), cancellationToken);
            }
            foreach (var (_, path) in WalFiles.Checkpoints(walDir))
            {
                bytes += CopyDirectory(path, Path.Combine(targetWal, Path.GetFileName(path)), cancellationToken);
            }
            foreach (var (index, path) in WalFiles.Segments(walDir).Where(s => s.Index <= lastSegment))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var target = Path.Combine(targetWal, Path.GetFileName(path));
                File.Copy(path, target);
                bytes += new FileInfo(target).Length;
            }
            return bytes;
        }
        finally
        {
            held.ForEach(b => b.Release());
            maintenance.Release();
        }
    }

    private static long CopyDirectory(string source, string target, CancellationToken cancellationToken)
    {
        long bytes = 0;
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.EnumerateFiles(source))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            bytes += new FileInfo(copy).Length;
        }
        foreach (var sub in System.IO.Directory.EnumerateDirectories(source))
        {
            bytes += CopyDirectory(sub, Path.Combine(target, Path.GetFileName(sub)), cancellationToken);
        }
        return bytes;
    }
}
