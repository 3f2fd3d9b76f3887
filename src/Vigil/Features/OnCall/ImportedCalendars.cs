using System.Collections.Concurrent;

namespace Vigil.Features.OnCall;

/// <summary>The events last read for each <c>ical</c> layer, by schedule name and layer index; empty until first read.</summary>
public sealed class ImportedCalendars
{
    private readonly ConcurrentDictionary<(string Schedule, int Layer), IReadOnlyList<CalendarShift>> events = new();

    public IReadOnlyList<CalendarShift> For(string schedule, int layer) =>
        events.TryGetValue((schedule, layer), out var found) ? found : [];

    public void Put(string schedule, int layer, IReadOnlyList<CalendarShift> shifts) => events[(schedule, layer)] = shifts;
}
