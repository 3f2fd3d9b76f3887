using Vigil.Hosting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// <see cref="ThreadPoolFloor"/>: the server keeps enough pool workers that threads blocked on the
/// disk (SQLite's commits, the metrics log's fsync) do not hold back the checks and timers while the
/// pool waits to add more. Process-wide state: each test puts the minimum back.
/// </summary>
public sealed class ThreadPoolFloorTests
{
    [Fact]
    public void A_machine_with_few_cores_gets_the_floor()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        try
        {
            Assert.True(ThreadPool.SetMinThreads(1, completionPorts));
            ThreadPoolFloor.Raise();
            ThreadPool.GetMinThreads(out var raised, out var ports);
            Assert.Equal(ThreadPoolFloor.Minimum, raised);
            Assert.Equal(completionPorts, ports);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, completionPorts);
        }
    }

    [Fact]
    public void A_larger_minimum_is_kept()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        try
        {
            Assert.True(ThreadPool.SetMinThreads(ThreadPoolFloor.Minimum * 4, completionPorts));
            ThreadPoolFloor.Raise();
            ThreadPool.GetMinThreads(out var kept, out _);
            Assert.Equal(ThreadPoolFloor.Minimum * 4, kept);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, completionPorts);
        }
    }

    [Fact]
    public async Task A_started_server_has_raised_the_floor()
    {
        ThreadPool.GetMinThreads(out var before, out var completionPorts);
        try
        {
            Assert.True(ThreadPool.SetMinThreads(1, completionPorts));
            await using var server = await TestServer.StartAsync(null);
            ThreadPool.GetMinThreads(out var workers, out _);
            Assert.True(workers >= ThreadPoolFloor.Minimum, $"{workers} workers");
        }
        finally
        {
            ThreadPool.SetMinThreads(Math.Max(before, ThreadPoolFloor.Minimum), completionPorts);
        }
    }
}
