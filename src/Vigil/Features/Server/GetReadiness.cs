using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;

namespace Vigil.Features.Server;

/// <summary>
/// <c>GET /health/ready</c>: may a load balancer send this replica traffic? 200 when it reaches its
/// database (<c>SELECT 1</c> within <see cref="Timeout"/>) and its configuration is loaded; 503
/// naming what is wrong otherwise. The answer is kept for <see cref="CacheFor"/>, so health checks
/// from several balancers cost one query a second. <c>/health</c> stays liveness.
/// </summary>
public sealed class GetReadiness(Data.DatabaseDamageWatch damage, IServiceScopeFactory scopes, ConfigReloader config, TimeProvider clock, ILogger<GetReadiness> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    public sealed record Problem(string Component, string Reason);

    public sealed record Readiness(string Status, DateTimeOffset CheckedAt, IReadOnlyList<Problem> Problems);

    private readonly SemaphoreSlim gate = new(1, 1);
    private Readiness? last;

    public async Task<JsonHttpResult<Readiness>> Handle(CancellationToken cancellationToken)
    {
        var readiness = await CheckAsync(cancellationToken);
        return TypedResults.Json(readiness, statusCode: readiness.Problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    public async Task<Readiness> CheckAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow();
            if (last is { } cached && now >= cached.CheckedAt && now - cached.CheckedAt < CacheFor)
            {
                return cached;
            }
            var problems = new List<Problem>();
            if (!config.Loaded)
            {
                problems.Add(new Problem("config", "the configuration is not loaded yet"));
            }
            if (damage.Found is { } found)
            {
                problems.Add(new Problem("database", $"the database reported damage: {found.Reason}; restore the last backup (docs/backups.md)"));
            }
            else if (await CheckDatabaseAsync(cancellationToken) is { } reason)
            {
                problems.Add(new Problem("database", reason));
            }
            if (problems.Count > 0 && (last is null || last.Problems.Count == 0))
            {
                logger.LogWarning("Not ready: {Problems}", string.Join("; ", problems.Select(p => $"{p.Component}: {p.Reason}")));
            }
            last = new Readiness(problems.Count == 0 ? "ready" : "not_ready", now, problems);
            return last;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<string?> CheckDatabaseAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        DbConnection? connection = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            connection = db.Database.GetDbConnection();
            await db.Database.ExecuteSqlRawAsync("SELECT 1", linked.Token);
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return $"the database did not answer SELECT 1 within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Connections pooled before the outage are dead: drop them, so work resumes with fresh ones.
            if (connection is Npgsql.NpgsqlConnection npgsql)
            {
                Npgsql.NpgsqlConnection.ClearPool(npgsql);
            }
            return $"the database cannot be reached: {e.GetBaseException().Message}";
        }
    }
}
