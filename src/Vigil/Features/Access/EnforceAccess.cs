using System.Globalization;
using Microsoft.AspNetCore.Components.Endpoints;
using Vigil.Configuration;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// The one gate every routed request passes: resolves the caller, applies the rate limit, then
/// checks the endpoint's declared permission (<see cref="AccessDecision"/>). API callers get
/// <c>application/problem+json</c>; console pages send anonymous callers to the sign-in page.
/// </summary>
public static class EnforceAccess
{
    public static IApplicationBuilder UseAccessEnforcement(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            // Nothing routed here: the 404 that follows reveals nothing.
            await next(context);
            return;
        }
        if (await RoutingRejectionAsync(context, endpoint))
        {
            return;
        }
        var services = context.RequestServices;
        var settings = services.GetRequiredService<ConfigReloader>().Current.Config.Access;
        // An integration's bearer token is its own, checked by the endpoint, not a user's API token
        // (and no context is taken from the pool for it: on the alert path, one per alert for nothing).
        var resolved = endpoint.Metadata.GetMetadata<IntegrationTokenAttribute>() is not null
            ? new ResolveCaller.Result(Caller.Anonymous, null)
            : await ResolveCaller.ResolveAsync(context, services.GetRequiredService<VigilDbContext>(), services.GetRequiredService<TimeProvider>(), settings,
                services.GetRequiredService<Cluster.ClusterMembership>().SingleProcess ? services.GetRequiredService<TokenLookups>() : null);
        var caller = resolved.Caller;
        context.Features.Set(caller);
        if (caller.IsAuthenticated)
        {
            context.User = ResolveCaller.CallerPrincipal(caller);
        }

        var isPage = endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;
        var rateClass = RateLimiter.Classify(context.Request.Path, isPage, context.Request.Method, caller.Kind == CallerKind.Token);
        if (rateClass != RateClass.None)
        {
            var limit = rateClass switch
            {
                RateClass.Auth => settings.RateLimits.Auth,
                RateClass.Health => settings.RateLimits.Health,
                RateClass.Metrics => settings.RateLimits.Metrics,
                _ => settings.RateLimits.Api,
            };
            var take = services.GetRequiredService<RateLimiter>().Take(rateClass, caller.ClientKey(context.Connection.RemoteIpAddress?.ToString()), limit);
            if (!take.Allowed)
            {
                var seconds = (int)Math.Ceiling(take.RetryAfter.TotalSeconds);
                context.Response.Headers.RetryAfter = Math.Max(1, seconds).ToString(CultureInfo.InvariantCulture);
                await WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"at most {limit} requests per minute are allowed for this client on these endpoints; retry after {Math.Max(1, seconds)} s");
                return;
            }
        }

        if (resolved.Rejection is not null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Not authenticated", resolved.Rejection);
            return;
        }

        var required = endpoint.Metadata.GetOrderedMetadata<RequirePermissionAttribute>().Select(p => p.Name).ToList();
        var verdict = AccessDecision.Decide(endpoint.Metadata.GetMetadata<PublicEndpointAttribute>() is not null, required, caller);
        switch (verdict)
        {
            case AccessVerdict.Allowed:
                await next(context);
                return;
            case AccessVerdict.SignInRequired when isPage:
                context.Response.Redirect($"/signin?return={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}");
                return;
            case AccessVerdict.Forbidden when isPage:
                // The page says who is signed in and what is missing, and offers another sign-in.
                context.Response.Redirect($"/signin?return={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}&denied={Uri.EscapeDataString(string.Join(",", required))}");
                return;
            case AccessVerdict.SignInRequired:
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Not authenticated",
                    "sign in, or send an API token as \"Authorization: Bearer <token>\"");
                return;
            case AccessVerdict.PasswordChangeRequired when isPage:
                context.Response.Redirect("/account/password");
                return;
            case AccessVerdict.MfaEnrolmentRequired when isPage:
                context.Response.Redirect("/account/mfa");
                return;
            case AccessVerdict.PasswordChangeRequired:
                await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "the one-time password must be changed first (console: /account/password)");
                return;
            case AccessVerdict.MfaEnrolmentRequired:
                await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "your role requires multi-factor sign-in; enrol first (console: /account/mfa)");
                return;
            case AccessVerdict.Undeclared:
                await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "this endpoint declares no permission, so it is refused to everyone");
                return;
            default:
                await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                    $"this requires the permission {string.Join(", ", required.Where(p => !caller.Has(p)))}, which {caller.Username} does not have");
                return;
        }
    });

    /// <summary>
    /// The router's own answers for a path that exists, asked with a method it does not take (405) or
    /// a body type it does not read (415): said as problem+json, not refused as an undeclared endpoint.
    /// The display names are ASP.NET Core's (HttpMethodMatcherPolicy, AcceptsMatcherPolicy).
    /// </summary>
    private static async Task<bool> RoutingRejectionAsync(HttpContext context, Endpoint endpoint)
    {
        switch (endpoint.DisplayName)
        {
            case "405 HTTP Method Not Supported":
                await endpoint.RequestDelegate!(context);
                await WriteProblemAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed",
                    $"{context.Request.Method} is not allowed here; allowed: {context.Response.Headers.Allow}");
                return true;
            case "415 HTTP Unsupported Media Type":
                var sent = string.IsNullOrEmpty(context.Request.ContentType) ? "none" : $"\"{context.Request.ContentType}\"";
                await WriteProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                    $"this endpoint reads a JSON body: send it with Content-Type: application/json (this request's Content-Type: {sent})");
                return true;
            default:
                return false;
        }
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
