using Microsoft.AspNetCore.Diagnostics;
using Vigil.Data;

namespace Vigil.Hosting;

/// <summary>
/// A request that fails because the database is away (an outage, a failover, SQLite busy past its
/// timeout) is answered <c>503</c> <c>application/problem+json</c> with <c>Retry-After</c>, naming
/// the database, instead of an empty 500: the caller (Prometheus, Alertmanager, a CI job) retries,
/// and nothing was changed. A full disk (SQLite, PostgreSQL or the metrics WAL) is answered <c>507</c>
/// the same way. Any other unhandled error is a 500 problem without the exception's text.
/// </summary>
public sealed class DatabaseUnavailableProblems(IProblemDetailsService problems, ILogger<DatabaseUnavailableProblems> logger) : IExceptionHandler
{
    /// <summary>Seconds a caller is asked to wait (<c>Retry-After</c>).</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (StorageErrors.IsDiskFull(exception))
        {
            logger.LogError("{Method} {Path} answered 507: {Reason} under Vigil's data; nothing was stored", httpContext.Request.Method, httpContext.Request.Path, StorageErrors.Describe(exception));
            return await WriteAsync(httpContext, exception, StatusCodes.Status507InsufficientStorage, "Insufficient storage",
                "storage: the disk that holds Vigil's data is full; nothing was stored. Free space on it: Vigil resumes by itself, and a retry then succeeds.");
        }
        if (DatabaseDamageWatch.IsDamage(exception))
        {
            logger.LogError("{Method} {Path} answered 503: the database reports damage ({Error})", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
            return await WriteAsync(httpContext, exception, StatusCodes.Status503ServiceUnavailable, "Database damaged",
                "database: Vigil's database reports damage; nothing was changed. An administrator must restore the last backup (docs/backups.md).");
        }
        if (!DbErrors.IsTransient(exception))
        {
            return false;
        }
        logger.LogWarning("{Method} {Path} answered 503: the database cannot be reached ({Error})", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        return await WriteAsync(httpContext, exception, StatusCodes.Status503ServiceUnavailable, "Database unavailable",
            "database: Vigil's database cannot be reached right now; nothing was changed. Try again shortly.");
    }

    private async Task<bool> WriteAsync(HttpContext httpContext, Exception exception, int status, string title, string detail)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = title,
                Detail = detail,
            },
        });
    }
}
