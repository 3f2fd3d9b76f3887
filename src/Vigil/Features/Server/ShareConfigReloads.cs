using Vigil.Configuration;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Server;

/// <summary>The other replicas this one can see (Features/Cluster implements it; on SQLite there are none).</summary>
public interface IReplicaDirectory
{
    /// <summary>How many other replicas have sent a heartbeat within the lease TTL of <paramref name="config"/>.</summary>
    Task<int> OthersAliveAsync(VigilConfig config, CancellationToken cancellationToken);
}

/// <summary>What a replica does after reading the shared configuration version.</summary>
public enum ConfigSyncVerdict
{
    /// <summary>Nobody has published a configuration yet: this replica publishes its own.</summary>
    Publish,
    /// <summary>Another replica reloaded since this one last looked: reload from this replica's own file.</summary>
    Reload,
    /// <summary>Nothing new; the fingerprints agree.</summary>
    InSync,
    /// <summary>Nothing new, but this replica's configuration is not the one published last: reported, not resolved.</summary>
    Mismatch,
}

/// <summary>The configuration as the replicas share it: this replica's fingerprint against the one published last.</summary>
public sealed record ConfigSync(string Fingerprint, string? PublishedFingerprint, long Version, bool InSync);

/// <summary>
/// Configuration reload across replicas. A reload through the documented path (SIGHUP or
/// <c>POST /-/reload</c>) on any replica that applies publishes the configuration's fingerprint
/// in the database with a new version; every replica polls that row every <see cref="PollEvery"/>
/// and, when the version moved, reloads from its own file. Replicas are expected to run the same
/// file; when their fingerprints differ the mismatch is logged, shown on <c>/api/system/info</c>
/// (<c>config.in_sync</c>) and in the metric <c>vigil_config_mismatch</c>, and left alone: a replica
/// started with another file does not overwrite what the others run: it keeps its own in-memory
/// settings but does not write the objects its file defines into the shared database
/// (<see cref="SharedObjects"/>). Only a reload publishes; a replica that starts while no other is
/// alive publishes its own file, as a single server that restarts with an edited file must.
/// </summary>
public sealed class ShareConfigReloads(ConfigReloader reloader, IReplicaDirectory replicas, IServiceScopeFactory scopes, TimeProvider clock, ILogger<ShareConfigReloads> logger) : BackgroundService
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(5);

    private static readonly Prometheus.Gauge MismatchGauge = Prometheus.Metrics.CreateGauge(
        "vigil_config_mismatch", "1 while this replica's configuration differs from the one last reloaded on any replica (docs/ha.md).");

    private readonly SemaphoreSlim gate = new(1, 1);
    private long seen;

    public ConfigSync State { get; private set; } = new("", null, 0, true);

    /// <summary>A pure decision: the row as read, the version this replica last acted on, its own fingerprint.</summary>
    public static ConfigSyncVerdict Decide(SharedVersion? published, long seenVersion, string fingerprint) =>
        published is null ? ConfigSyncVerdict.Publish
        : published.Version > seenVersion ? ConfigSyncVerdict.Reload
        : string.Equals(published.Value, fingerprint, StringComparison.Ordinal) ? ConfigSyncVerdict.InSync
        : ConfigSyncVerdict.Mismatch;

    /// <summary>
    /// At start: loads and applies this replica's file. It writes its objects to the shared
    /// database when nothing is published yet, when it is the published configuration, or when no
    /// other replica is alive (then it is published); otherwise the mismatch is reported and the
    /// objects are left as the live replicas' configuration made them.
    /// </summary>
    public async Task<ReloadResult> JoinAsync(CancellationToken cancellationToken)
    {
        var publish = false;
        var result = await reloader.ReloadAsync(cancellationToken, async (loaded, token) =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var published = await SharedVersion.ReadAsync(scope.ServiceProvider.GetRequiredService<VigilDbContext>(), SharedVersion.Config, token);
            if (published is null || string.Equals(published.Value, loaded.Fingerprint, StringComparison.Ordinal))
            {
                return true;
            }
            publish = await replicas.OthersAliveAsync(loaded.Config, token) == 0;
            return publish;
        });
        if (!result.Applied)
        {
            return result;
        }
        if (publish)
        {
            await PublishAsync(cancellationToken);
        }
        await PollOnceAsync(cancellationToken);
        return result;
    }

    /// <summary>The documented reload path: reload this replica, and on success tell the others.</summary>
    public async Task<ReloadResult> ReloadEverywhereAsync(CancellationToken cancellationToken)
    {
        var result = await reloader.ReloadAsync(cancellationToken);
        if (result.Applied)
        {
            await PublishAsync(cancellationToken);
        }
        return result;
    }

    /// <summary>Makes this replica's configuration the published one, with a new version.</summary>
    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var fingerprint = reloader.Current.Fingerprint;
            seen = await SharedVersion.BumpAsync(db, SharedVersion.Config, fingerprint, clock.GetUtcNow(), cancellationToken);
            Report(new ConfigSync(fingerprint, fingerprint, seen, true));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>One look at the shared version (the loop's pass; at start, before serving).</summary>
    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var published = await SharedVersion.ReadAsync(db, SharedVersion.Config, cancellationToken);
            switch (Decide(published, seen, reloader.Current.Fingerprint))
            {
                case ConfigSyncVerdict.Publish:
                    seen = await SharedVersion.BumpAsync(db, SharedVersion.Config, reloader.Current.Fingerprint, clock.GetUtcNow(), cancellationToken);
                    Report(new ConfigSync(reloader.Current.Fingerprint, reloader.Current.Fingerprint, seen, true));
                    return;
                case ConfigSyncVerdict.Reload:
                    // The first look at start only learns the version: this replica has just loaded its file.
                    if (seen > 0)
                    {
                        logger.LogInformation("Configuration reloaded on another replica (version {Version}); reloading {Path}", published!.Version, reloader.Path ?? "(no file)");
                        // Its own file: it writes the shared objects only if it is the file that was published.
                        var result = await reloader.ReloadAsync(
                            cancellationToken, (loaded, _) => Task.FromResult(string.Equals(loaded.Fingerprint, published!.Value, StringComparison.Ordinal)));
                        if (!result.Applied)
                        {
                            logger.LogError("Reload requested by another replica was rejected here: {Message}", result.Message);
                        }
                    }
                    seen = published!.Version;
                    break;
            }
            var fingerprint = reloader.Current.Fingerprint;
            Report(new ConfigSync(fingerprint, published!.Value, published.Version, string.Equals(published.Value, fingerprint, StringComparison.Ordinal)));
        }
        finally
        {
            gate.Release();
        }
    }

    private void Report(ConfigSync state)
    {
        if (!state.InSync && (State.InSync || State.PublishedFingerprint != state.PublishedFingerprint))
        {
            logger.LogWarning(
                "This replica's configuration ({Fingerprint}) differs from the one last reloaded on the replicas ({Published}): run the same file everywhere, then reload (docs/ha.md)",
                state.Fingerprint, state.PublishedFingerprint);
        }
        else if (state.InSync && !State.InSync)
        {
            logger.LogInformation("This replica's configuration matches the replicas' again ({Fingerprint})", state.Fingerprint);
        }
        State = state;
        MismatchGauge.Set(state.InSync ? 0 : 1);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        TimedLoop.RunAsync(
            async ct =>
            {
                await PollOnceAsync(ct);
                return PollEvery;
            },
            null, PollEvery, clock, logger, "Reading the shared configuration version failed", stoppingToken);
}
