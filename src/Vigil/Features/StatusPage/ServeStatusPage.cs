using System.Globalization;
using Vigil.Hosting;

namespace Vigil.Features.StatusPage;

/// <summary>
/// The public routes: <c>/status/{name}</c>, its <c>history</c>, <c>history.atom</c> and
/// <c>api/v2/*.json</c>, each a copy of cached bytes with an ETag; and the same at <c>/</c> of a
/// page's custom host name.
/// </summary>
public static class ServeStatusPage
{
    /// <summary>How long browsers and proxies may keep a copy; the ETag makes a revalidation cheap.</summary>
    public const int MaxAgeSeconds = 15;

    public static async Task Handle(string slug, string? view, HttpContext context, StatusPageCache cache)
    {
        var rendering = await cache.GetAsync(slug, context.RequestAborted);
        if (rendering is null || !rendering.Views.TryGetValue(view?.TrimEnd('/') ?? "", out var body))
        {
            await Problems.NotFound(rendering is null ? $"no status page named \"{slug}\"" : $"the status page has no \"{view}\"").ExecuteAsync(context);
            return;
        }
        var headers = context.Response.Headers;
        headers.ETag = body.ETag;
        headers.LastModified = rendering.RenderedAt.ToString("R", CultureInfo.InvariantCulture);
        headers.CacheControl = $"public, max-age={MaxAgeSeconds}";
        if (context.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } match && (match == body.ETag || match == "*" || match.Split(',').Any(m => m.Trim() == body.ETag)))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        headers.ContentType = body.ContentType;
        context.Response.ContentLength = body.Bytes.Length;
        await context.Response.Body.WriteAsync(body.Bytes, context.RequestAborted);
    }

    /// <summary>The paths a custom host name serves as its page (everything else on that host is the usual server).</summary>
    private static readonly HashSet<string> HostedPaths = new(StringComparer.Ordinal)
    {
        "/", "/history", "/history.atom",
        "/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json",
        "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json", "/api/v2/scheduled-maintenances/active.json",
    };

    /// <summary>
    /// Before routing: a request for a page's host name at one of its paths is served as
    /// <c>/status/{name}/...</c>. Any other request passes straight on, without an async step of its own.
    /// </summary>
    public static IApplicationBuilder UseStatusPageHosts(this IApplicationBuilder app) => app.Use((context, next) =>
        context.Request.Method is "GET" or "HEAD" && (context.Request.Path.Value ?? "/") is var path && HostedPaths.Contains(path)
            ? ServeForHostAsync(context, next, path)
            : next(context));

    private static async Task ServeForHostAsync(HttpContext context, RequestDelegate next, string path)
    {
        if (await context.RequestServices.GetRequiredService<StatusPageCache>().SlugForHostAsync(context.Request.Host.Host, context.RequestAborted) is { } slug)
        {
            context.Request.Path = path == "/" ? $"/status/{slug}" : $"/status/{slug}{path}";
        }
        await next(context);
    }
}
