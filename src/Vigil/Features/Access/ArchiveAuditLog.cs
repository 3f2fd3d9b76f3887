using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary>
/// Audit retention: entries older than <c>access.audit.retention</c> are appended to
/// <c>DATA/audit-archive/audit-log-YYYY-MM.jsonl.gz</c> (one gzip member per batch, one JSON object
/// per line, flushed to disk with fsync) and only then deleted, never silently dropped. A crash
/// between the two leaves the batch in both places; the next pass archives it again, so the
/// archive may hold an entry twice (same <c>id</c>) but never misses one.
/// </summary>
public sealed class ArchiveAuditLog(IServiceScopeFactory scopes, ConfigReloader config, ServeOptions options, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<ArchiveAuditLog> logger) : BackgroundService
{
    /// <summary>Over several replicas only this lease's holder archives (into its own data directory).</summary>
    public const string Lease = "audit/archive";
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private const int BatchSize = 1000;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    // One pass at a time in this process, so the loop and a direct call never archive a batch twice.
    private readonly SemaphoreSlim gate = new(1, 1);

    public string Directory => Path.Combine(options.DataDirectory, "audit-archive");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A periodic timer on the injected clock: a tick that falls while a pass runs is not lost.
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await cluster.RunUnderLeaseAsync(Lease, RunOnceAsync, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Audit retention failed; entries past retention stay in the database until the next pass");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await ArchiveExpiredAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<int> ArchiveExpiredAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cutoff = now - config.Current.Config.Access.Audit.Retention;
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var batch = await db.AuditLog.AsNoTracking().Where(e => e.CreatedAt < cutoff).OrderBy(e => e.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }
            await AppendAsync(Path.Combine(Directory, $"audit-log-{now:yyyy-MM}.jsonl.gz"), batch, cancellationToken);
            var last = batch[^1].Id;
            // Ordered by id, so every entry past retention up to the batch's last id is in the batch.
            await db.AuditLog.Where(e => e.Id <= last && e.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
            total += batch.Count;
        }
        if (total > 0)
        {
            logger.LogInformation("Archived {Count} audit entries older than {Cutoff:o} to {Directory}", total, cutoff, Directory);
        }
        return total;
    }

    private static async Task AppendAsync(string file, List<AuditEntry> entries, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.Read);
        await using (var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true))
        {
            var lines = new StringBuilder();
            foreach (var e in entries)
            {
                lines.Append(JsonSerializer.Serialize(QueryAuditLog.EntryView.From(e), Json)).Append('\n');
            }
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(lines.ToString()), cancellationToken);
        }
        stream.Flush(flushToDisk: true);
    }
}
