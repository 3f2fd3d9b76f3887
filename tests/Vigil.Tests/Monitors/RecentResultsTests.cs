using System.Runtime.CompilerServices;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Scheduling;

namespace Vigil.Tests.Monitors;

/// <summary>Each monitor's last results, as the console and <c>GET /api/monitors/NAME</c> list them.</summary>
public sealed class RecentResultsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Recent_results_come_back_newest_first_with_what_was_recorded()
    {
        var state = new MonitorState();
        state.Add(new RecentResult(T0, MonitorStatus.Up, "status 200", 0.3012341, 0.0018));
        state.Add(new RecentResult(T0.AddSeconds(10).AddTicks(3), MonitorStatus.Down, "status 503", 0.25, -0.002));
        state.Add(new RecentResult(T0.AddSeconds(20), MonitorStatus.Degraded, "slower than 200ms", 300, 4000));

        var recent = state.Recent();

        Assert.Equal(
            [
                new RecentResult(T0.AddSeconds(20), MonitorStatus.Degraded, "slower than 200ms", 300, int.MaxValue / 1e6),
                // The time keeps whole 0.8 µs steps, the durations whole microseconds.
                new RecentResult(T0.AddSeconds(10), MonitorStatus.Down, "status 503", 0.25, -0.002),
                new RecentResult(T0, MonitorStatus.Up, "status 200", 0.301234, 0.0018),
            ],
            recent);
    }

    [Fact]
    public void The_ring_keeps_the_last_fifty_and_one_reason_string_for_repeated_words()
    {
        var state = new MonitorState();
        for (var i = 0; i < MonitorState.RecentCapacity + 7; i++)
        {
            state.Add(new RecentResult(T0.AddSeconds(10 * i), MonitorStatus.Up, string.Concat("status ", "200"), 0.001, 0));
        }

        var recent = state.Recent();

        Assert.Equal(MonitorState.RecentCapacity, recent.Count);
        Assert.Equal(T0.AddSeconds(10 * (MonitorState.RecentCapacity + 6)), recent[0].At);
        Assert.Equal(T0.AddSeconds(10 * 7), recent[^1].At);
        Assert.All(recent, r => Assert.Same(recent[0].Reason, r.Reason));
    }

    [Fact]
    public void Every_status_fits_in_the_bits_the_ring_keeps_for_it_and_an_entry_is_24_bytes()
    {
        Assert.All(Enum.GetValues<MonitorStatus>(), s => Assert.InRange((int)s, 0, (1 << MonitorState.Packed.StatusBits) - 1));
        Assert.Equal(24, Unsafe.SizeOf<MonitorState.Packed>());
    }
}
