using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Server;
using Vigil.Hosting;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Features.Metrics;

/// <summary>
/// Damage found in the embedded store's write-ahead log or blocks is never silent: each cut stretch,
/// block moved aside or bad chunk is logged when found (an error for disk damage, a warning for the torn tail a crash
/// leaves), counted on <c>/metrics</c>, keeps <c>/api/health</c> degraded until an administrator
/// acknowledges it (<c>POST /api/system/metrics/wal-damage/acknowledge</c> or the System page), and
/// is listed on the System page. The cut bytes stay in <c>DATA/metrics/wal/damaged/</c>.
/// </summary>
public sealed class WalDamageReport(ISampleStore store, ILogger<WalDamageReport> logger) : IHostedService, ISystemSection
{
    public sealed record AcknowledgeResult(int Acknowledged);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is not TsdbStore tsdb)
        {
            return Task.CompletedTask;
        }
        foreach (var damage in tsdb.WalDamage)
        {
            var kept = damage.MovedTo is { } to ? $"kept in {to}" : "could not be kept (disk full?)";
            if (damage.TornTail)
            {
                logger.LogWarning("Metrics WAL: a torn tail in {File} at offset {Offset} ({Bytes} bytes of a write a crash cut short, never acknowledged) was cut; {Kept}",
                    damage.File, damage.Offset, damage.Bytes, kept);
            }
            else
            {
                logger.LogError("Metrics WAL is damaged: {File} does not decode from offset {Offset}; the {Bytes} bytes after it were cut ({Kept}) and the later segments replayed. Samples lost with them are not queryable. Check the disk; acknowledge on the System page once looked at",
                    damage.File, damage.Offset, damage.Bytes, kept);
            }
        }
        foreach (var damage in tsdb.BlockDamage)
        {
            LogBlockDamage(damage);
        }
        // A read that meets a bad chunk later reports it the same way, as it happens.
        tsdb.OnBlockDamage = LogBlockDamage;
        if (tsdb.GetStats().WalUnknownSeriesSamplesTotal is > 0 and var unknown)
        {
            logger.LogError("Metrics WAL: {Samples} replayed samples belonged to series defined in a cut stretch and were dropped", unknown);
        }
        return Task.CompletedTask;
    }

    private void LogBlockDamage(BlockDamage damage) =>
        logger.LogError("Metrics store block is damaged: {What}; {Kept}. Check the disk; acknowledge on the System page once looked at",
            damage.What, damage.KeptAs is { } kept ? $"kept as {Path.Combine("damaged", kept)}" : "could not be kept (disk full?)");

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary><c>POST /api/system/metrics/wal-damage/acknowledge</c>: every kept stretch is marked as seen; audited.</summary>
    public static async Task<Results<Ok<AcknowledgeResult>, ProblemHttpResult>> Acknowledge(ISampleStore store, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        if (store is not TsdbStore tsdb)
        {
            return Problems.NotFound("embedded metrics store (metrics.query_url sends queries elsewhere)");
        }
        var acknowledged = tsdb.AcknowledgeDamage();
        if (acknowledged.Count > 0)
        {
            audit.Record("acknowledge", "metrics_wal_damage", null, new { stretches = acknowledged });
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(new AcknowledgeResult(acknowledged.Count));
    }

    public int Order => 25;

    Task<IReadOnlyList<SystemTable>> ISystemSection.ReadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SystemTable> tables = store is TsdbStore tsdb
            ?
            [
                new("wal-damage", "Metrics store damage",
                    "Stretches of the metrics write-ahead log that did not decode at a start (kept in DATA/metrics/wal/damaged/), and blocks that did not open or chunks that failed their checksum (kept in DATA/metrics/damaged/). /api/health stays degraded until they are acknowledged.",
                    ["Kept as", "From"],
                    [
                        .. tsdb.UnacknowledgedWalDamage().Select(name => new SystemRow([name, Segment(name)], "down", "damaged")),
                        .. tsdb.UnacknowledgedBlockDamage().Select(name => new SystemRow([name, BlockPart(name)], "down", "damaged")),
                    ],
                    "none: the write-ahead log and every block read whole",
                    new SystemAction("Acknowledge the metrics store damage", Permission.ConfigReload, async (services, token) =>
                    {
                        var result = await Acknowledge(store, services.GetRequiredService<VigilDbContext>(), services.GetRequiredService<AuditLog>(), token);
                        return result.Result is Ok<AcknowledgeResult> ok ? $"Acknowledged {ok.Value!.Acknowledged.ToString(CultureInfo.InvariantCulture)} damaged stretch(es)." : "Nothing to acknowledge.";
                    })),
            ]
            : [];
        return Task.FromResult(tables);
    }

    /// <summary><c>block-NAME@chunk-1234</c>: the chunk at byte 1234 of block NAME; <c>block-NAME@index</c>: the whole block.</summary>
    private static string BlockPart(string name) => name.Split('@') is [var block, var part]
        ? part.StartsWith("chunk-", StringComparison.Ordinal) ? $"{block}: chunk at byte {part["chunk-".Length..]}" : $"{block}: the whole block (its {part} does not read)"
        : name;

    /// <summary><c>00000002@1234</c>: segment 00000002 from byte 1234 on.</summary>
    private static string Segment(string name) => name.Split('@') is [var file, var offset] ? $"{file} from byte {offset}" : name;
}
