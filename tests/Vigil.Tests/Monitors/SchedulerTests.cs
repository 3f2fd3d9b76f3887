using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Scheduling;

namespace Vigil.Tests.Monitors;

/// <summary>The scheduler on the real clock against real local targets: timing is what is under test here.</summary>
public sealed class SchedulerTests
{
    [Fact]
    public async Task A_hanging_target_and_an_endless_body_fail_in_time_while_100_other_monitors_keep_their_schedule()
    {
        // A test process starts with as many pool threads as cores, and the test host holds some of
        // them blocked while it waits for results; the server has no such neighbour. Without this,
        // a run alone measures the thread pool's warm-up (new threads come at about two a second).
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
        await using var target = await TargetServer.StandardAsync();
        var interval = TimeSpan.FromSeconds(1);
        MonitorDefinition Http(string name, string path) => new()
        {
            Name = name,
            Service = "api",
            Type = MonitorType.Http,
            Url = target.Url + path,
            Interval = interval,
            Timeout = TimeSpan.FromSeconds(1),
        };
        var monitors = Enumerable.Range(0, 100).Select(i => Http($"healthy-{i}", "/ok")).Append(Http("hanging", "/hang")).Append(Http("huge", "/huge")).ToList();
        var results = new ConcurrentDictionary<string, ConcurrentBag<(CheckResult Result, TimeSpan Lateness)>>();
        var scheduler = new CheckScheduler(Probes.Runner(), TimeProvider.System, new ConcurrencyLimits(64, 64),
            (m, result, lateness) =>
            {
                results.GetOrAdd(m.Name, _ => []).Add((result, lateness));
                return Task.CompletedTask;
            }, NullLogger.Instance);
        scheduler.Set(monitors.Select(m => new ScheduledMonitor(m, m.Name!)));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3.5));

        // Off the test framework's synchronization context, as in the server.
        await Task.Run(() => scheduler.RunAsync(stop.Token));

        for (var i = 0; i < 100; i++)
        {
            var mine = results.GetValueOrDefault($"healthy-{i}")?.ToList() ?? [];
            Assert.True(mine.Count >= 3, $"healthy-{i} ran {mine.Count} checks in 3.5 s at a 1 s interval");
            Assert.All(mine, r => Assert.Equal(MonitorStatus.Up, r.Result.Status));
            var latest = mine.Max(r => r.Lateness);
            // Well under the hanging target's 1 s timeout, which a check held up behind it would wait out;
            // the 250 ms lateness goal itself is measured by bench/monitors, not by a test on a shared machine.
            Assert.True(latest < TimeSpan.FromMilliseconds(750), $"healthy-{i} started up to {latest.TotalMilliseconds:0} ms late: {string.Join(", ", mine.Select(r => r.Lateness.TotalMilliseconds.ToString("0")))}");
        }
        var hanging = results["hanging"].Select(r => r.Result).ToList();
        Assert.NotEmpty(hanging);
        Assert.All(hanging, r => Assert.Equal((MonitorStatus.Down, "timeout after 1s"), (r.Status, r.Reason)));
        var huge = results["huge"].Select(r => r.Result).ToList();
        Assert.NotEmpty(huge);
        Assert.All(huge, r => Assert.Equal((MonitorStatus.Down, "body too large: more than 1 MiB"), (r.Status, r.Reason)));
        Assert.All(huge, r => Assert.True(r.Duration < TimeSpan.FromSeconds(1), $"the endless body took {r.Duration}"));
    }
}
