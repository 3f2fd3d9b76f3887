using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.OnCall.Escalation;

public sealed record PageView(
    string Subject, string Policy, string Title, string? Severity, string? Service, string? Link, PageStatus Status, int Level, int Cycle,
    DateTimeOffset StartedAt, DateTimeOffset? NextEscalationAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, DateTimeOffset? ResolvedAt, string? ResolvedBy)
{
    public static PageView From(StoredPage p) => new(
        p.Subject, p.Policy, p.Title, p.Severity, p.Service, p.Link, p.Status, p.Level + 1, p.Cycle,
        p.StartedAt, p.NextEscalationAt, p.AcknowledgedAt, p.AcknowledgedBy, p.ResolvedAt, p.ResolvedBy);
}

/// <summary>
/// Pages through the API (<c>GET /api/pages</c>, <c>POST /api/pages/{subject}/ack|resolve</c>,
/// what <c>vigil page ack</c> calls) and through the signed links in a page (<c>/respond/{token}</c>).
/// </summary>
public static class RespondToPage
{
    /// <summary>Open pages, and those resolved in the last day, newest first.</summary>
    public static async Task<Ok<List<PageView>>> List(VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow().AddDays(-1);
        var pages = await db.Set<StoredPage>().AsNoTracking()
            .Where(p => p.Status != PageStatus.Resolved || p.ResolvedAt >= since)
            .OrderByDescending(p => p.Id).Take(500).ToListAsync(cancellationToken);
        return TypedResults.Ok(pages.Select(PageView.From).ToList());
    }

    public static Task<Results<Ok<PageView>, ProblemHttpResult>> Acknowledge(
        string subject, HttpContext context, VigilDbContext db, PageEscalation paging, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken) =>
        RespondAsync(subject, PageAction.Acknowledge, context, db, paging, audit, clock, cancellationToken);

    public static Task<Results<Ok<PageView>, ProblemHttpResult>> Resolve(
        string subject, HttpContext context, VigilDbContext db, PageEscalation paging, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken) =>
        RespondAsync(subject, PageAction.Resolve, context, db, paging, audit, clock, cancellationToken);

    /// <summary>Acknowledging an acknowledged page (or resolving a resolved one) answers 200 and changes nothing.</summary>
    private static async Task<Results<Ok<PageView>, ProblemHttpResult>> RespondAsync(
        string subject, PageAction action, HttpContext context, VigilDbContext db, PageEscalation paging, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var page = await PageEscalation.OpenAsync(db, subject, cancellationToken)
            ?? await db.Set<StoredPage>().Where(p => p.Subject == subject).OrderByDescending(p => p.Id).FirstOrDefaultAsync(cancellationToken);
        if (page is null)
        {
            return Problems.NotFound($"no page for \"{subject}\"");
        }
        var actor = context.Caller().Username ?? "unknown";
        if (await paging.RespondAsync(db, page, action, actor, clock.GetUtcNow(), cancellationToken))
        {
            audit.Record(action == PageAction.Acknowledge ? "acknowledge" : "resolve", "page", subject);
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(PageView.From(page));
    }

    /// <summary>
    /// The link in a page shows what it will do and a button; only the button's POST changes
    /// anything, because mail scanners and chat previews fetch every link they see.
    /// </summary>
    public static async Task<IResult> ShowLink(string token, VigilDbContext db, PageLinks links, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (links.Read(token, clock.GetUtcNow()) is not { } claim)
        {
            return Html(HttpStatusCode.NotFound, "<p>This link is not valid or has expired. Open Vigil to respond.</p>");
        }
        var page = await db.Set<StoredPage>().AsNoTracking().SingleOrDefaultAsync(p => p.Key == claim.PageKey, cancellationToken);
        if (page is null)
        {
            return Html(HttpStatusCode.NotFound, "<p>This page no longer exists.</p>");
        }
        var verb = claim.Action == PageAction.Acknowledge ? "Acknowledge" : "Resolve";
        return Html(HttpStatusCode.OK,
            $"<h1>{Encode(page.Title)}</h1><p>Status: {page.Status.ToString().ToLowerInvariant()}</p>" +
            $"<form method=\"post\"><button type=\"submit\">{verb} as {Encode(claim.Target)}</button></form>");
    }

    public static async Task<IResult> FollowLink(
        string token, HttpContext context, VigilDbContext db, PageLinks links, PageEscalation paging, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (links.Read(token, now) is not { } claim)
        {
            return Html(HttpStatusCode.NotFound, "<p>This link is not valid or has expired. Open Vigil to respond.</p>");
        }
        var page = await db.Set<StoredPage>().SingleOrDefaultAsync(p => p.Key == claim.PageKey, cancellationToken);
        if (page is null)
        {
            return Html(HttpStatusCode.NotFound, "<p>This page no longer exists.</p>");
        }
        var actor = $"{claim.Target} (link)";
        if (await paging.RespondAsync(db, page, claim.Action, actor, now, cancellationToken))
        {
            audit.Record(claim.Action == PageAction.Acknowledge ? "acknowledge" : "resolve", "page", page.Subject, new { via = "link", target = claim.Target });
            await db.SaveChangesAsync(cancellationToken);
        }
        return Html(HttpStatusCode.OK, $"<h1>{Encode(page.Title)}</h1><p>Status: {page.Status.ToString().ToLowerInvariant()}</p>");
    }

    private static IResult Html(HttpStatusCode status, string body) =>
        Results.Content($"<!doctype html><html><head><meta charset=\"utf-8\"><title>Vigil page</title></head><body>{body}</body></html>",
            "text/html; charset=utf-8", statusCode: (int)status);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
