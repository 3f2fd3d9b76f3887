using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>Alerts from any source land in the state store with Alertmanager's start, end and merge rules.</summary>
public abstract class ReceiveAlertsTests : IAsyncLifetime
{
    private static readonly Labels HighErrorRate = Labels.Of("alertname", "HighErrorRate", "service", "api", "severity", "critical");
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    // A resolved alert leaves the store once every group it is in flushed it (Alertmanager's
    // DeleteIfNotModified), and one that no route takes at once: a route that waits an hour keeps
    // these alerts stored while they are looked at.
    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), """
        channels: [{name: oncall, type: webhook, url: "http://127.0.0.1:9/"}]
        routing:
          resolve_timeout: 5m
          route: {receiver: oncall, group_wait: 1h, group_interval: 1h}
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private Task PutAsync(DateTimeOffset? startsAt, DateTimeOffset? endsAt, string summary = "5xx above 5%") =>
        server.Services.GetRequiredService<IAlertIngest>().PutAsync(
            [new IncomingAlert(HighErrorRate, Labels.Of("summary", summary), startsAt, endsAt, "http://vigil/rules", "rule")], CancellationToken.None);

    private Task<StoredAlert> StoredAsync() =>
        server.QueryAsync(db => db.Set<StoredAlert>().AsNoTracking().SingleAsync());

    [Fact]
    public async Task An_alert_without_times_starts_now_and_ends_after_the_resolve_timeout()
    {
        var now = server.Clock.GetUtcNow();

        await PutAsync(null, null);

        var stored = await StoredAsync();
        Assert.Equal((now, now.AddMinutes(5), true), (stored.StartsAt, stored.EndsAt, stored.Timeout));
        Assert.Equal(HighErrorRate, stored.Labels);
        Assert.Equal("5xx above 5%", stored.Annotations.Get("summary"));
        Assert.False(stored.IsResolvedAt(now.AddMinutes(4)));
        Assert.True(stored.IsResolvedAt(now.AddMinutes(5)));
    }

    [Fact]
    public async Task A_resend_keeps_the_first_start_and_an_explicit_resolution_ends_it()
    {
        var start = server.Clock.GetUtcNow();
        await PutAsync(start, start.AddMinutes(4));
        server.Clock.Advance(TimeSpan.FromMinutes(1));

        // Prometheus resends with a later start after a restart lost its state: the first start stays.
        await PutAsync(start.AddMinutes(1), start.AddMinutes(5), "still failing");
        var resent = await StoredAsync();
        Assert.Equal((start, start.AddMinutes(5), "still failing"), (resent.StartsAt, resent.EndsAt, resent.Annotations.Get("summary")));

        server.Clock.Advance(TimeSpan.FromMinutes(1));
        var resolvedAt = server.Clock.GetUtcNow();
        await PutAsync(start, resolvedAt);
        Assert.True((await StoredAsync()).IsResolvedAt(resolvedAt));
    }

    [Fact]
    public async Task The_same_new_alert_put_by_many_writers_at_once_is_stored_once()
    {
        // As a Prometheus HA pair does: the same alert, from several senders, at the same moment.
        var start = server.Clock.GetUtcNow();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => PutAsync(start, start.AddMinutes(4), $"sender {i}"))));

        var stored = await StoredAsync();
        Assert.Equal((start, start.AddMinutes(4)), (stored.StartsAt, stored.EndsAt));
    }
}

public sealed class ReceiveAlertsOnSqlite : ReceiveAlertsTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class ReceiveAlertsOnPostgres(PostgresServer postgres) : ReceiveAlertsTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
