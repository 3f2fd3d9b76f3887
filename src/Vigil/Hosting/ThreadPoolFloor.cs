namespace Vigil.Hosting;

/// <summary>
/// Keeps at least <see cref="Minimum"/> thread pool workers ready, however few cores the machine has.
/// SQLite's commits (Microsoft.Data.Sqlite has no asynchronous I/O: its async methods run
/// synchronously) and the metrics log's group fsync block a pool thread on the disk. The pool starts
/// with as many workers as cores and, once all are busy, adds one about every half second
/// (its starvation detection, https://learn.microsoft.com/dotnet/core/runtime-config/threading).
/// On a 2-core machine two slow fsyncs of a shared disk therefore held back every monitor check
/// and timer for about a second: at 10,000 monitors the checks' lateness p99 went from 6-13 ms to
/// 465-876 ms in one run out of three. With 8 workers it stayed at 6-8 ms in five runs of five, at
/// the same CPU and memory (bench/RESULTS.md, "The thread pool's floor").
/// </summary>
public static class ThreadPoolFloor
{
    public const int Minimum = 8;

    /// <summary>Raises the pool's minimum of workers to <see cref="Minimum"/>; a larger one (more cores, or configured) is kept.</summary>
    public static void Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (workers < Minimum)
        {
            ThreadPool.SetMinThreads(Minimum, completionPorts);
        }
    }
}
