using System.Globalization;
using Vigil.Metrics.Scrape;

namespace Vigil.Metrics.Tests.Scrape;

public class ScrapeManagerTests
{
    [Fact]
    public async Task Targets_are_scraped_at_their_offset_then_every_interval()
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(new MetricsResponse("a 1\nb 1\n"));
        var target = ScrapeTestKit.Target(server.Address);
        var first = ScrapeSchedule.FirstScrapeAt(ScrapeTestKit.Start, target.Config.Interval, target.Hash()) - ScrapeTestKit.Start;
        await using var manager = new ScrapeManager(kit.Http, kit.Appender, kit.Clock);

        await manager.ApplyAsync([target]);
        kit.Clock.Advance(first);
        await kit.NextCommit();
        server.Response = new MetricsResponse("b 2\n");
        kit.Clock.Advance(TimeSpan.FromSeconds(10));
        await kit.NextCommit();

        var at = (long)first.TotalMilliseconds;
        Assert.Equal([$"{Show("up", server)} 1 @{at}", $"{Show("up", server)} 1 @{at + 10_000}"], kit.Dump("up").Order(ByTime));
        Assert.Equal([$"{Show("a", server)} 1 @{at}", $"{Show("a", server)} stale @{at + 10_000}"], kit.Dump("a").Order(ByTime));
        Assert.Single(manager.Loops);
    }

    [Fact]
    public async Task A_removed_target_stops_and_its_series_go_stale_while_a_down_target_reports_up_zero()
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(new MetricsResponse("a 1\n"));
        var good = ScrapeTestKit.Target(server.Address);
        var down = ScrapeTestKit.Target(MetricsServer.ClosedAddress());
        await using var manager = new ScrapeManager(kit.Http, kit.Appender, kit.Clock);
        await manager.ApplyAsync([good, down]);

        kit.Clock.Advance(TimeSpan.FromSeconds(10));
        await kit.NextCommit();
        await kit.NextCommit();
        kit.Clock.Advance(TimeSpan.FromSeconds(1));
        await manager.ApplyAsync([down]);

        // The removed target's series end in a staleness marker at its removal, or just after its last
        // scrape when that scrape finished later on a loaded machine (never before the removal).
        var removedAt = 11_000;
        foreach (var metric in new[] { "a", "up" })
        {
            var last = kit.Dump(metric).Where(s => s.StartsWith(Show(metric, server), StringComparison.Ordinal)).Order(ByTime).Last();
            Assert.StartsWith($"{Show(metric, server)} stale @", last, StringComparison.Ordinal);
            Assert.True(long.Parse(last[(last.LastIndexOf('@') + 1)..], CultureInfo.InvariantCulture) >= removedAt, last);
        }
        Assert.Contains(kit.Dump("up"), s => s.Contains(down.Labels.Get("instance"), StringComparison.Ordinal) && s.Contains("} 0 @", StringComparison.Ordinal));
        Assert.Equal([down], manager.Loops.Select(l => l.Target));
    }

    [Fact]
    public async Task A_reload_that_changes_the_job_keeps_series_without_false_staleness()
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(new MetricsResponse("a 1\n"));
        var target = ScrapeTestKit.Target(server.Address);
        await using var manager = new ScrapeManager(kit.Http, kit.Appender, kit.Clock);
        await manager.ApplyAsync([target]);
        kit.Clock.Advance(TimeSpan.FromSeconds(10));
        await kit.NextCommit();

        var reloaded = ScrapeTestKit.Target(server.Address, target.Config with { Timeout = TimeSpan.FromSeconds(3) });
        await manager.ApplyAsync([reloaded]);
        kit.Clock.Advance(TimeSpan.FromSeconds(10));
        var second = await kit.NextCommit();

        Assert.DoesNotContain(kit.Dump("a"), s => s.Contains("stale", StringComparison.Ordinal));
        Assert.Equal(2, kit.Dump("a").Count);
        Assert.Same(reloaded.Config, Assert.Single(manager.Loops).Target.Config);
        Assert.Equal(0, Assert.Single(manager.Loops).LastReport!.Batch.SeriesAdded);
    }

    [Fact]
    public async Task Stopping_the_manager_ends_every_loop_without_staleness_markers()
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(new MetricsResponse("a 1\n"));
        using var stop = new CancellationTokenSource();
        var manager = new ScrapeManager(kit.Http, kit.Appender, kit.Clock, stopping: stop.Token);
        await manager.ApplyAsync([ScrapeTestKit.Target(server.Address)]);
        kit.Clock.Advance(TimeSpan.FromSeconds(10));
        await kit.NextCommit();

        await stop.CancelAsync();
        await manager.DisposeAsync();
        kit.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(["1 @"], kit.Dump("a").Select(s => s[(s.IndexOf('}', StringComparison.Ordinal) + 2)..(s.IndexOf('@', StringComparison.Ordinal) + 1)]));
        Assert.Empty(manager.Loops);
    }

    private static string Show(string name, MetricsServer server) => $"{name}{{env=\"test\", instance=\"{server.Address}\", job=\"node\"}}";

    private static readonly Comparer<string> ByTime = Comparer<string>.Create(static (a, b) =>
        long.Parse(a[(a.LastIndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture)
            .CompareTo(long.Parse(b[(b.LastIndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
}
