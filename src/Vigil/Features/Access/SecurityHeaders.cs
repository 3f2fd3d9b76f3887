namespace Vigil.Features.Access;

/// <summary>
/// The headers every answer carries (console, status pages, API): a Content-Security-Policy that
/// allows no inline or foreign script (the console renders on the server; its only scripts are
/// its own small files under wwwroot/js), no framing by other sites, no MIME sniffing, no full URLs in the Referer sent elsewhere,
/// and HSTS on HTTPS. Inline styles stay allowed: the status page and the charts use them, and a
/// style cannot run code.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        if (context.Request.IsHttps)
        {
            // RFC 6797: only sent over a secure transport; a year, as browsers' preload lists expect.
            headers.StrictTransportSecurity = "max-age=31536000";
        }
        return next(context);
    });
}
