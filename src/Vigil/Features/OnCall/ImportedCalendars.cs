using System.Collections.Concurrent;

namespace Vigil.Features.OnCall;

/// <summary>
/// The events last read for each <c>ical</c> layer, by schedule name and layer index; empty until
/// first read. <see cref="RefreshImportedCalendars"/> fills it; <see cref="RequestRefresh"/> asks it
/// to look at the schedules again at once (after a schedule is saved or the config reloaded).
/// </summary>
public sealed class ImportedCalendars
{
    private readonly ConcurrentDictionary<(string Schedule, int Layer), IReadOnlyList<CalendarShift>> events = new();

    public IReadOnlyList<CalendarShift> For(string schedule, int layer) =>
        events.TryGetValue((schedule, layer), out var found) ? found : [];

    public void Put(string schedule, int layer, IReadOnlyList<CalendarShift> shifts) => events[(schedule, layer)] = shifts;

    public void Remove(string schedule, int layer) => events.TryRemove((schedule, layer), out _);

    public void RequestRefresh() => Requests.Set();

    /// <summary>Set by <see cref="RequestRefresh"/>; the refresh loop sleeps on it.</summary>
    public Hosting.WakeSignal Requests { get; } = new();
}
