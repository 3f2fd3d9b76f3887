using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Catalog;

/// <summary><c>GET /api/services/{name}</c></summary>
public static class GetService
{
    public static async Task<Results<Ok<ServiceView>, ProblemHttpResult>> Handle(string name, VigilDbContext db, CancellationToken cancellationToken)
    {
        var service = await db.Services.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        return service is null ? Problems.NotFound($"no service named \"{name}\"") : TypedResults.Ok(ServiceView.From(service));
    }
}
