using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Configuration;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Alerting.Routing;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Uptime;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>Maintenance windows open when their schedule says, mute their service's alerts and are left out of uptime.</summary>
public class WindowScheduleTests
{
    private static IEnumerable<string> Openings(MaintenanceWindowDefinition d, string from, string to) =>
        WindowSchedule.Compile(d).Between(DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(to, System.Globalization.CultureInfo.InvariantCulture))
            .Select(i => $"{i.From:yyyy-MM-dd HH:mm}Z-{i.To:yyyy-MM-dd HH:mm}Z");

    [Fact]
    public void Every_2nd_sunday_is_the_second_sunday_of_each_month_from_2_to_4_utc()
    {
        var d = new MaintenanceWindowDefinition { Name = "patching", Service = "db", Schedule = "every 2nd Sunday 02:00-04:00 UTC" };
        Assert.Equal(
            ["2026-11-08 02:00Z-2026-11-08 04:00Z", "2026-12-13 02:00Z-2026-12-13 04:00Z", "2027-01-10 02:00Z-2027-01-10 04:00Z"],
            Openings(d, "2026-11-01T00:00:00Z", "2027-02-01T00:00:00Z"));
    }

    [Fact]
    public void A_window_past_midnight_in_a_time_zone_follows_its_clocks()
    {
        // Berlin is UTC+1 in winter, UTC+2 in summer; the last Saturday of March 2027 is the 27th, the clocks change on the 28th.
        var d = new MaintenanceWindowDefinition { Name = "n", Service = "api", Schedule = "every last saturday 23:00-03:00", TimeZone = "Europe/Berlin" };
        Assert.Equal(
            ["2027-02-27 22:00Z-2027-02-28 02:00Z", "2027-03-27 22:00Z-2027-03-28 01:00Z"],
            Openings(d, "2027-02-01T00:00:00Z", "2027-04-01T00:00:00Z"));
    }

    [Fact]
    public void Cron_windows_last_their_duration_and_one_off_windows_are_clipped_to_the_range()
    {
        var cron = new MaintenanceWindowDefinition { Name = "c", Service = "api", Cron = "30 3 * * 1-5", Duration = "1h" };
        Assert.Equal(["2026-11-23 03:30Z-2026-11-23 04:30Z", "2026-11-24 03:30Z-2026-11-24 04:00Z"], Openings(cron, "2026-11-22T00:00:00Z", "2026-11-24T04:00:00Z"));
        var once = new MaintenanceWindowDefinition { Name = "o", Service = "api", StartsAt = "2026-12-01T22:00:00Z", EndsAt = "2026-12-02T02:00:00Z" };
        Assert.Equal(["2026-12-01 23:00Z-2026-12-02 02:00Z"], Openings(once, "2026-12-01T23:00:00Z", "2026-12-03T00:00:00Z"));
    }

    [Fact]
    public void A_monthly_window_lists_its_next_three_openings_and_one_open_now_first_with_its_real_end()
    {
        var window = new MaintenanceWindow { Name = "patching", Service = "db", Schedule = "every 2nd sunday 02:00-04:00", Origin = Vigil.Features.Catalog.ObjectOrigin.Config };
        static IEnumerable<string> Next(MaintenanceWindowView view) => view.Next.Select(i => $"{i.From:yyyy-MM-dd HH:mm}Z-{i.To:yyyy-MM-dd HH:mm}Z");
        var before = MaintenanceWindowView.From(window, DateTimeOffset.Parse("2026-11-02T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(before.OpenNow);
        Assert.Equal(["2026-11-08 02:00Z-2026-11-08 04:00Z", "2026-12-13 02:00Z-2026-12-13 04:00Z", "2027-01-10 02:00Z-2027-01-10 04:00Z"], Next(before));
        var during = MaintenanceWindowView.From(window, DateTimeOffset.Parse("2026-11-08T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(during.OpenNow);
        Assert.Equal(["2026-11-08 03:00Z-2026-11-08 04:00Z", "2026-12-13 02:00Z-2026-12-13 04:00Z", "2027-01-10 02:00Z-2027-01-10 04:00Z"], Next(during));
        var yearly = new MaintenanceWindow { Name = "y", Service = "db", Cron = "0 1 1 1 *", Duration = "1h", Origin = Vigil.Features.Catalog.ObjectOrigin.Config };
        Assert.Equal(["2027-01-01 01:00Z-2027-01-01 02:00Z", "2028-01-01 01:00Z-2028-01-01 02:00Z"], Next(MaintenanceWindowView.From(yearly, before.Next[0].From)));
    }

    [Fact]
    public void Bad_windows_are_config_errors_at_their_line()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            maintenance_windows:
              - name: a
                service: db
                schedule: every second sunday
              - name: b
                service: db
                cron: "0 3 * * *"
              - name: c
                service: db
                schedule: every day 01:00-02:00
                time_zone: Mars/Olympus
            """, new Dictionary<string, string>());
        Assert.Equal(
            [
                "vigil.yaml:4:15: \"every second sunday\" is not a schedule: write e.g. \"every 2nd sunday 02:00-04:00\", \"every saturday 22:00-02:00\" or \"every day 03:00-03:30\"",
                "vigil.yaml:5:5: a cron window needs a positive duration, e.g. 2h",
                "vigil.yaml:11:16: unknown time zone \"Mars/Olympus\" (use an IANA name such as Europe/Berlin)",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }
}

public abstract class MaintenanceWindowTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    // The test clock starts on Monday 2026-11-02 09:00 UTC.
    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), """
        services: [{name: db}, {name: api}]
        channels:
          - name: oncall
            type: webhook
            url: http://127.0.0.1:9/
        maintenance_windows:
          - name: db-patching
            service: db
            schedule: every monday 09:00-10:00
        routing:
          resolve_timeout: 5h
          route:
            receiver: oncall
            group_by: [alertname, service]
            group_wait: 0s
            group_interval: 1m
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Alerts_of_a_service_in_maintenance_are_muted_until_the_window_closes()
    {
        var start = server.Clock.GetUtcNow();
        var ingest = server.Services.GetRequiredService<IAlertIngest>();
        await ingest.PutAsync([
            new IncomingAlert(Labels.Of("alertname", "Down", "service", "db"), Labels.Empty, null, null, "", "rule"),
            new IncomingAlert(Labels.Of("alertname", "Down", "service", "api"), Labels.Empty, null, null, "", "rule"),
        ], CancellationToken.None);
        var dispatch = server.Services.GetRequiredService<DispatchAlerts>();
        server.Clock.SetUtcNow(start.AddMinutes(1));
        await dispatch.RunOnceAsync(CancellationToken.None);
        async Task<List<string>> SentAsync() => [.. (await server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Id).ToListAsync()))
            .Select(m => NotificationRequest.FromJson(m.Payload).GroupLabels)
            // The channel's receiver does not exist, so once its retries run out the delivery slice's own
            // NotificationChannelFailing alert may be routed too; only the Down alerts matter here.
            .Where(g => g.GetValueOrDefault("alertname") == "Down")
            .Select(g => g["service"])];
        Assert.Equal(["api"], await SentAsync());
        var db = (await server.Http.GetFromJsonAsync<JsonElement>("/api/alerts?matcher=service%3Ddb")).EnumerateArray().Single();
        Assert.Equal("db-patching", db.GetProperty("suppressed").GetProperty("maintenance")[0].GetString());

        server.Clock.SetUtcNow(start.AddHours(1));
        await dispatch.RunOnceAsync(CancellationToken.None);
        Assert.Equal(["api", "db"], await SentAsync());
    }

    [Fact]
    public async Task Api_windows_are_editable_config_ones_are_not_and_uptime_sees_both()
    {
        var created = await server.Http.PostAsJsonAsync("/api/maintenance-windows", new { name = "api-migration", service = "api", starts_at = "2026-11-03T22:00:00Z", ends_at = "2026-11-04T01:00:00Z" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var bad = await server.Http.PostAsJsonAsync("/api/maintenance-windows", new { name = "x", service = "api", cron = "0 3 * * *" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("duration", out _));
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.DeleteAsync("/api/maintenance-windows/db-patching")).StatusCode);
        var moved = await server.Http.PutAsJsonAsync("/api/maintenance-windows/api-migration", new { service = "api", starts_at = "2026-11-03T23:00:00Z", ends_at = "2026-11-04T01:00:00Z" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        var calendar = server.Services.GetRequiredService<IMaintenanceCalendar>();
        var week = new Interval(DateTimeOffset.Parse("2026-11-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-11-10T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(
            [(week.From.AddHours(47), week.From.AddHours(49))],
            (await calendar.WindowsAsync("api", "production", week, CancellationToken.None)).Select(i => (i.From, i.To)));
        Assert.Equal(2, (await calendar.WindowsAsync("db", null, week, CancellationToken.None)).Count);
        var list = await server.Http.GetFromJsonAsync<JsonElement>("/api/maintenance-windows");
        Assert.Equal([("api-migration", "api"), ("db-patching", "config")], list.EnumerateArray().Select(w => (w.GetProperty("name").GetString(), w.GetProperty("origin").GetString())));
        Assert.Equal(["create", "update"], (await server.AuditAsync()).Where(e => e.Resource == "maintenance_window").Select(e => e.Action));
    }
}

public sealed class MaintenanceWindowsOnSqlite : MaintenanceWindowTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class MaintenanceWindowsOnPostgres(PostgresServer postgres) : MaintenanceWindowTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
