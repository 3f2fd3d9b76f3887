using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Silences;

namespace Vigil.Features.Alerting.AlertmanagerApi;

/// <summary>
/// <c>DELETE /api/v2/silence/{id}</c>, as Alertmanager 0.25 answers <c>amtool silence expire</c>:
/// 200 with an empty body, also when the silence had already expired (as Alertmanager 0.25 does);
/// 404 for an unknown id.
/// </summary>
public static class ExpireAlertmanagerSilence
{
    public static async Task<Results<Ok, ProblemHttpResult>> Handle(string id, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (_, problem) = await ChangeSilence.ExpireAsync(id, db, audit, clock.GetUtcNow(), cancellationToken);
        return problem?.StatusCode == StatusCodes.Status404NotFound ? problem : TypedResults.Ok();
    }
}
