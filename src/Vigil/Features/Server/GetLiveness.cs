using Microsoft.AspNetCore.Http.HttpResults;

namespace Vigil.Features.Server;

/// <summary><c>GET /health</c>: liveness in the seeds' shape. Answers as long as the process serves HTTP; checks nothing else.</summary>
public static class GetLiveness
{
    public sealed record Liveness(string Status, DateTimeOffset Timestamp, long Uptime, string Version);

    public static Ok<Liveness> Handle(ProcessClock process, TimeProvider clock) =>
        TypedResults.Ok(new Liveness("healthy", clock.GetUtcNow(), (long)process.Uptime.TotalSeconds, ProcessClock.Version));
}
