using Vigil.Metrics.Scrape;

namespace Vigil.Metrics.Tests.Scrape;

public class ScrapeScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 3_000, 3_000)]
    [InlineData(4_000, 3_000, 13_000)]
    [InlineData(3_000, 3_000, 3_000)]
    [InlineData(9_999, 13_000, 13_000)]
    public void First_scrape_waits_for_the_targets_offset_in_the_interval(int nowMs, long offsetMs, int expectedMs)
    {
        var hash = (ulong)TimeSpan.FromMilliseconds(offsetMs).Ticks;

        var first = ScrapeSchedule.FirstScrapeAt(T0.AddMilliseconds(nowMs), Interval, hash);

        Assert.Equal(T0.AddMilliseconds(expectedMs), first);
    }

    [Theory]
    [InlineData(0, 1_000, 10_000)]
    [InlineData(0, 10_000, 10_000)]
    [InlineData(0, 15_000, 20_000)]
    [InlineData(0, 20_000, 20_000)]
    [InlineData(0, 20_001, 30_000)]
    public void A_slow_scrape_skips_missed_ticks_but_keeps_the_phase(int previousMs, int nowMs, int expectedMs)
    {
        Assert.Equal(T0.AddMilliseconds(expectedMs), ScrapeSchedule.NextScrapeAt(T0.AddMilliseconds(previousMs), T0.AddMilliseconds(nowMs), Interval));
    }

    [Fact]
    public void Targets_spread_over_the_interval_deterministically()
    {
        var offsets = Enumerable.Range(0, 50)
            .Select(i => new ScrapeTarget(Labels.Of("job", "j", "instance", $"10.0.0.{i}:9100"), new Uri($"http://10.0.0.{i}:9100/metrics"), new ScrapeConfig { JobName = "j" }))
            .Select(t => ScrapeSchedule.FirstScrapeAt(T0, Interval, t.Hash()) - T0)
            .ToList();

        Assert.True(offsets.Distinct().Count() > 45);
        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, Interval));
        Assert.Equal(offsets[7], ScrapeSchedule.FirstScrapeAt(T0, Interval, new ScrapeTarget(Labels.Of("job", "j", "instance", "10.0.0.7:9100"), new Uri("http://10.0.0.7:9100/metrics"), new ScrapeConfig { JobName = "j" }).Hash()) - T0);
    }
}
