using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Web.Charts;

namespace Vigil.Features.Deployments;

/// <summary>Deployments as chart markers: each one that started (or was recorded) inside a chart's time range.</summary>
public static class DeploymentAnnotations
{
    public const int Max = 200;

    /// <param name="service">Only this service's deployments; all when null.</param>
    public static async Task<IReadOnlyList<ChartAnnotation>> LoadAsync(VigilDbContext db, long fromMs, long toMs, string? service, CancellationToken cancellationToken)
    {
        var (from, to) = (DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs));
        var query = db.Set<Deployment>().AsNoTracking()
            .Where(d => (d.StartedAt ?? d.CreatedAt) >= from && (d.StartedAt ?? d.CreatedAt) <= to);
        if (service is not null)
        {
            query = query.Where(d => d.Service == service);
        }
        var deployments = await query.OrderByDescending(d => d.Id).Take(Max).ToListAsync(cancellationToken);
        return [.. deployments.Select(Of).OrderBy(a => a.TimestampMs)];
    }

    public static ChartAnnotation Of(Deployment d) =>
        new((d.StartedAt ?? d.CreatedAt).ToUnixTimeMilliseconds(), $"{d.Version} · {d.Service} · {d.Environment} ({d.Status.Replace('_', ' ')})");
}
