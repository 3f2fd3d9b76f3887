using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Deployments;

/// <summary><c>GET /api/deployments?service=&amp;environment=&amp;status=&amp;limit=</c>: newest first; <c>GET /api/deployments/{id}</c>.</summary>
public static class ListDeployments
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static async Task<IResult> Handle(VigilDbContext db, string? service, string? environment, string? status, int? limit, CancellationToken cancellationToken)
    {
        if (status is not null && !DeploymentStatus.All.Contains(status))
        {
            return Problems.Field("status", $"unknown status \"{status}\": use one of {string.Join(", ", DeploymentStatus.All)}");
        }
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.Field("limit", $"between 1 and {MaxLimit}");
        }
        var deployments = await Query(db, service, environment, status).Take(limit ?? DefaultLimit).ToListAsync(cancellationToken);
        return TypedResults.Ok(deployments.Select(DeploymentView.From).ToList());
    }

    public static async Task<IResult> Get(int id, VigilDbContext db, CancellationToken cancellationToken)
    {
        var deployment = await db.Set<Deployment>().AsNoTracking().Include(d => d.Transitions).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        return deployment is null ? Problems.NotFound($"no deployment {id}") : TypedResults.Ok(DeploymentView.From(deployment));
    }

    /// <summary>The filtered deployments with their steps, newest first; shared by the API and the console pages.</summary>
    public static IQueryable<Deployment> Query(VigilDbContext db, string? service = null, string? environment = null, string? status = null)
    {
        var query = db.Set<Deployment>().AsNoTracking().Include(d => d.Transitions).AsQueryable();
        if (!string.IsNullOrEmpty(service))
        {
            query = query.Where(d => d.Service == service);
        }
        if (!string.IsNullOrEmpty(environment))
        {
            query = query.Where(d => d.Environment == environment);
        }
        if (!string.IsNullOrEmpty(status))
        {
            query = query.Where(d => d.Status == status);
        }
        return query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id);
    }
}
