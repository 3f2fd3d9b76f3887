using Microsoft.AspNetCore.Diagnostics;
using Vigil.Data;

namespace Vigil.Hosting;

/// <summary>
/// A request that fails because the database is away (an outage, a failover, SQLite busy past its
/// timeout) is answered <c>503</c> <c>application/problem+json</c> with <c>Retry-After</c>, naming
/// the database, instead of an empty 500: the caller (Prometheus, Alertmanager, a CI job) retries,
/// and nothing was changed. Any other unhandled error is a 500 problem without the exception's text.
/// </summary>
public sealed class DatabaseUnavailableProblems(IProblemDetailsService problems, ILogger<DatabaseUnavailableProblems> logger) : IExceptionHandler
{
    /// <summary>Seconds a caller is asked to wait (<c>Retry-After</c>).</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (DatabaseDamageWatch.IsDamage(exception))
        {
            logger.LogError("{Method} {Path} answered 503: the database reports damage ({Error})", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
            return await WriteAsync(httpContext, exception, "Database damaged",
                "database: Vigil's database reports damage; nothing was changed. An administrator must restore the last backup (docs/backups.md).");
        }
        if (!DbErrors.IsTransient(exception))
        {
            return false;
        }
        logger.LogWarning("{Method} {Path} answered 503: the database cannot be reached ({Error})", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        return await WriteAsync(httpContext, exception, "Database unavailable",
            "database: Vigil's database cannot be reached right now; nothing was changed. Try again shortly.");
    }

    private async Task<bool> WriteAsync(HttpContext httpContext, Exception exception, string title, string detail)
    {
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = title,
                Detail = detail,
            },
        });
    }
}
