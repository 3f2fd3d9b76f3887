using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Metrics;
using Vigil.Metrics.Storage;
using Vigil.Tests.Notifications;

namespace Vigil.Tests.Monitors;

/// <summary>
/// Scheduled checks' samples are committed once per linger (one WAL fsync for a second of checks,
/// not one per check); a check someone asked for is committed at once, and stopping commits what is left.
/// </summary>
public sealed class SampleBatchingTests
{
    private static readonly MonitorDefinition Api = new() { Name = "api-health", Service = "api", Type = MonitorType.Http, Url = "http://127.0.0.1:1/" };

    [Fact]
    public async Task Samples_wait_for_the_linger_on_the_clock_a_flush_commits_at_once_and_stopping_commits_the_rest()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var store = new MemorySampleStore();
        var writer = new SampleWriter(store, clock, NullLogger<SampleWriter>.Instance);
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => writer.RunAsync(stop.Token));

        writer.Add(Api, CheckResult.Up("status 200", TimeSpan.FromMilliseconds(12)), clock.GetUtcNow());
        // Real time passes, the clock does not: the batch is still open.
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System);
        Assert.Empty(Durations(store));

        // The linger is a second on the writer's clock (advanced until the writer's wait has begun and ends).
        await DeliveryScenario.UntilAsync(() =>
        {
            clock.Advance(SampleWriter.Linger);
            return Task.FromResult(Durations(store).Count == 1);
        });
        Assert.Equal([0.012], Durations(store));

        writer.Add(Api, CheckResult.Down("status 503", TimeSpan.FromMilliseconds(30)), clock.GetUtcNow());
        writer.Flush();
        await DeliveryScenario.UntilAsync(() => Task.FromResult(Durations(store).Count == 2), () => Task.FromResult(string.Join(", ", Durations(store))));
        Assert.Equal([0.012, 0.03], Durations(store));

        clock.Advance(TimeSpan.FromSeconds(10));
        writer.Add(Api, CheckResult.Up("status 200", TimeSpan.FromMilliseconds(7)), clock.GetUtcNow());
        await stop.CancelAsync();
        await running;
        Assert.Equal([0.012, 0.03, 0.007], Durations(store));
        Assert.Equal([1.0, 0.0, 1.0], Values(store, SampleWriter.Up));
    }

    [Fact]
    public async Task A_check_someone_asked_for_answers_once_its_samples_are_committed_without_the_clock_moving()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var store = new MemorySampleStore();
        var writer = new SampleWriter(store, clock, NullLogger<SampleWriter>.Instance);
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => writer.RunAsync(stop.Token));
        // Wait for the loop: before it runs, nobody would commit (and FlushAsync does not wait).
        await DeliveryScenario.UntilAsync(async () =>
        {
            // A millisecond apart (two samples of a series at one time would be one), far inside the linger.
            clock.Advance(TimeSpan.FromMilliseconds(1));
            writer.Add(Api, CheckResult.Up("status 200", TimeSpan.FromMilliseconds(5)), clock.GetUtcNow());
            await writer.FlushAsync();
            return Durations(store).Count > 0;
        });

        for (var i = 1; i <= 20; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            writer.Add(Api, CheckResult.Down("status 503", TimeSpan.FromMilliseconds(i)), clock.GetUtcNow());
            await writer.FlushAsync();
            // A heartbeat's ping or an API check answers here: an SLO or a chart read now sees the sample.
            Assert.Equal(0.001 * i, Durations(store)[^1], 9);
        }
        await stop.CancelAsync();
        await running;
        // Stopped: nothing waits for a commit loop that is gone.
        writer.Add(Api, CheckResult.Up("status 200", TimeSpan.FromMilliseconds(1)), clock.GetUtcNow());
        await writer.FlushAsync();
    }

    private static List<double> Durations(MemorySampleStore store) => Values(store, SampleWriter.Duration);

    private static List<double> Values(MemorySampleStore store, string metric) =>
        [.. store.Select(long.MinValue, long.MaxValue, [LabelMatcher.Equal("__name__", metric), LabelMatcher.Equal("monitor", "api-health")])
            .SelectMany(s => s.Samples).OrderBy(s => s.TimestampMs).Select(s => s.Value)];
}
