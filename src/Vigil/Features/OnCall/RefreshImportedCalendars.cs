using Microsoft.EntityFrameworkCore;
using NodaTime;
using Vigil.Configuration;
using Vigil.Data;
using Duration = NodaTime.Duration;

namespace Vigil.Features.OnCall;

/// <summary>
/// Reads the calendar of every <c>ical</c> layer into <see cref="ImportedCalendars"/>: at start, when
/// the config is reloaded or a schedule saved, and then every layer's <c>refresh</c> (default 15m),
/// on the injected clock. A <c>file</c> is read from disk, a <c>url</c> fetched over HTTP. Events are
/// expanded from <see cref="Behind"/> before to <see cref="Ahead"/> after the read. A read that fails
/// (unreachable URL, an HTTP error, a missing or unparsable file) is logged as a warning and the
/// events last read stay; a layer whose source changed starts empty until its first good read.
/// </summary>
public sealed class RefreshImportedCalendars(
    IServiceScopeFactory scopes, ImportedCalendars calendars, IHttpClientFactory http, TimeProvider clock, ILogger<RefreshImportedCalendars> logger)
    : BackgroundService, IConfigConsumer
{
    public const string HttpClientName = "ical";
    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromMinutes(15);
    /// <summary>Looks at the stored schedules at least this often (a schedule saved on another replica).</summary>
    public static readonly TimeSpan LongestSleep = TimeSpan.FromMinutes(1);
    /// <summary>How far back events are kept (the shifts API and calendar feeds look back).</summary>
    public static readonly Duration Behind = Duration.FromDays(90);
    /// <summary>How far ahead recurring events are expanded (the shifts API looks up to 366 days ahead).</summary>
    public static readonly Duration Ahead = Duration.FromDays(400);

    private sealed record Source(string Location, string Zone, TimeSpan Refresh, DateTimeOffset LastAttempt);

    private readonly Dictionary<(string Schedule, int Layer), Source> sources = [];

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        calendars.RequestRefresh();
        return Task.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Hosting.TimedLoop.RunAsync(RefreshDueAsync, calendars.Requests, LongestSleep, clock, logger, "Refreshing imported calendars failed", stoppingToken);

    /// <returns>How long until the next layer is due (at most <see cref="LongestSleep"/>).</returns>
    private async Task<TimeSpan> RefreshDueAsync(CancellationToken cancellationToken)
    {
        List<StoredSchedule> rows;
        await using (var scope = scopes.CreateAsyncScope())
        {
            rows = await scope.ServiceProvider.GetRequiredService<VigilDbContext>().Set<StoredSchedule>().AsNoTracking().ToListAsync(cancellationToken);
        }
        var wanted = new HashSet<(string, int)>();
        var sleep = LongestSleep;
        foreach (var row in rows)
        {
            var definition = row.ReadDefinition();
            if (definition.TimeZone is null || DateTimeZoneProviders.Tzdb.GetZoneOrNull(definition.TimeZone) is not { } zone)
            {
                continue;
            }
            for (var i = 0; i < (definition.Layers?.Count ?? 0); i++)
            {
                var layer = definition.Layers![i];
                var location = layer.Url ?? layer.File;
                if (layer.Rotation != "ical" || string.IsNullOrWhiteSpace(location))
                {
                    continue;
                }
                var key = (row.Name, i);
                wanted.Add(key);
                var refresh = layer.Refresh ?? DefaultRefresh;
                var now = clock.GetUtcNow();
                if (sources.TryGetValue(key, out var known) && known.Location == location && known.Zone == zone.Id)
                {
                    if (known.LastAttempt + refresh > now)
                    {
                        continue;
                    }
                }
                else if (known is not null)
                {
                    calendars.Remove(row.Name, i); // another calendar now: the old one's events are not this one's
                }
                sources[key] = new Source(location, zone.Id, refresh, now);
                await ReadAsync(row.Name, i, layer, zone, Instant.FromDateTimeOffset(now), cancellationToken);
            }
        }
        foreach (var gone in sources.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            sources.Remove(gone);
            calendars.Remove(gone.Schedule, gone.Layer);
        }
        // From the clock as it is now, not as it was before the reads: time that passed while a
        // calendar was fetched counts towards the next refresh.
        var after = clock.GetUtcNow();
        foreach (var source in sources.Values)
        {
            sleep = Min(sleep, source.LastAttempt + source.Refresh - after);
        }
        return sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep;
    }

    private async Task ReadAsync(string schedule, int index, LayerDefinition layer, DateTimeZone zone, Instant now, CancellationToken cancellationToken)
    {
        var location = layer.Url ?? layer.File!;
        try
        {
            string text;
            if (layer.Url is not null)
            {
                using var response = await http.CreateClient(HttpClientName).GetAsync(layer.Url, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                }
                text = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            else
            {
                text = await File.ReadAllTextAsync(layer.File!, cancellationToken);
            }
            var shifts = ReadCalendarShifts.Read(text, zone, now - Behind, now + Ahead);
            calendars.Put(schedule, index, shifts);
            logger.LogInformation("Schedule {Schedule} layer {Layer}: read {Count} shifts from {Location}", schedule, index, shifts.Count, location);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException or FormatException
            or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Schedule {Schedule} layer {Layer}: cannot read the calendar {Location}: {Reason}; keeping the {Count} shifts last read",
                schedule, index, location, e.Message, calendars.For(schedule, index).Count);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
