using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Vigil.Hosting;

namespace Vigil.Features.Incidents;

/// <summary>
/// <c>GET/PUT /api/incidents/{id}/postmortem</c> and <c>/postmortem.md</c>: the post-mortem
/// template — summary, impact, duration, timeline (from the incident), root cause, resolution,
/// lessons learned, action items — and its Markdown export.
/// </summary>
public static class WritePostMortem
{
    public sealed class Request
    {
        [DocumentText]
        public string? Summary { get; set; }
        [DocumentText]
        public string? Impact { get; set; }
        [DocumentText]
        public string? RootCause { get; set; }
        [DocumentText]
        public string? Resolution { get; set; }
        [DocumentText]
        public string? LessonsLearned { get; set; }
    }

    public sealed record View(string Incident, string Title, string Severity, string? Summary, string? Impact, string? Duration, string? RootCause, string? Resolution, string? LessonsLearned,
        IReadOnlyList<IncidentDetails.TimelineRow> Timeline, IReadOnlyList<TrackActionItems.ItemView> ActionItems, DateTimeOffset? UpdatedAt);

    public static async Task<IResult> Get(string id, IncidentWorkspace work, CancellationToken cancellationToken) =>
        await LoadAsync(work, id, cancellationToken) is { } view ? TypedResults.Ok(view) : Hosting.Problems.NotFound($"no incident {id}");

    public static async Task<IResult> Markdown(string id, IncidentWorkspace work, CancellationToken cancellationToken) =>
        await LoadAsync(work, id, cancellationToken) is { } view
            ? TypedResults.Text(ToMarkdown(view), "text/markdown; charset=utf-8")
            : Hosting.Problems.NotFound($"no incident {id}");

    public static async Task<IResult> Put(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Hosting.Problems.Field("body", "a JSON post-mortem is required");
        }
        foreach (var (field, value) in new[] { ("summary", body.Summary), ("impact", body.Impact), ("root_cause", body.RootCause), ("resolution", body.Resolution), ("lessons_learned", body.LessonsLearned) })
        {
            if (value?.Length > 50_000)
            {
                return Hosting.Problems.Field(field, "at most 50000 characters");
            }
        }
        if (await work.FindAsync(id, cancellationToken) is not { } incident)
        {
            return Hosting.Problems.NotFound($"no incident {id}");
        }
        var postMortem = await work.Db.Set<PostMortem>().SingleOrDefaultAsync(p => p.IncidentId == incident.Id, cancellationToken);
        if (postMortem is null)
        {
            postMortem = new PostMortem { IncidentId = incident.Id };
            work.Db.Add(postMortem);
        }
        (postMortem.Summary, postMortem.Impact, postMortem.RootCause, postMortem.Resolution, postMortem.LessonsLearned) = (body.Summary, body.Impact, body.RootCause, body.Resolution, body.LessonsLearned);
        postMortem.UpdatedAt = work.Now;
        postMortem.UpdatedBy = http.Actor();
        work.Audit.Record("update_postmortem", "incident", incident.HumanId);
        await work.CommitAsync(cancellationToken);
        return TypedResults.Ok(await LoadAsync(work, id, cancellationToken));
    }

    public static async Task<View?> LoadAsync(IncidentWorkspace work, string id, CancellationToken cancellationToken)
    {
        if (await IncidentDetails.LoadAsync(work, id, cancellationToken) is not { } details)
        {
            return null;
        }
        var incident = details.Incident;
        var numeric = await work.Db.Set<Incident>().Where(i => i.HumanId == id).Select(i => i.Id).SingleAsync(cancellationToken);
        var postMortem = await work.Db.Set<PostMortem>().AsNoTracking().SingleOrDefaultAsync(p => p.IncidentId == numeric, cancellationToken);
        var items = await TrackActionItems.QueryAsync(work.Db, numeric, null, cancellationToken);
        var duration = incident.ResolvedAt is { } resolved ? ChangeIncidentStatus.Text(resolved - incident.OpenedAt) : null;
        return new View(incident.Id, incident.Title, incident.Severity, postMortem?.Summary, postMortem?.Impact, duration, postMortem?.RootCause, postMortem?.Resolution, postMortem?.LessonsLearned,
            details.Timeline, items, postMortem?.UpdatedAt);
    }

    public static string ToMarkdown(View view)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Post-mortem: {view.Incident} {view.Title}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Severity: {view.Severity}  \nDuration: {view.Duration ?? "ongoing"}\n\n");
        Section(md, "Summary", view.Summary);
        Section(md, "Impact", view.Impact);
        md.Append("## Timeline (UTC)\n\n");
        foreach (var row in view.Timeline)
        {
            md.Append(CultureInfo.InvariantCulture, $"- {row.At.UtcDateTime:yyyy-MM-dd HH:mm:ss} — {row.Text}{(row.Actor is null ? "" : $" ({row.Actor})")}\n");
        }
        md.Append('\n');
        Section(md, "Root cause", view.RootCause);
        Section(md, "Resolution", view.Resolution);
        Section(md, "Lessons learned", view.LessonsLearned);
        md.Append("## Action items\n\n");
        if (view.ActionItems.Count == 0)
        {
            md.Append("_None yet._\n");
        }
        foreach (var item in view.ActionItems)
        {
            md.Append(CultureInfo.InvariantCulture, $"- [{(item.Status == "done" ? "x" : " ")}] {item.Title} — owner: {item.Owner ?? "unassigned"}, due: {item.DueOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "none"}\n");
        }
        return md.ToString();
    }

    private static void Section(StringBuilder md, string title, string? text) =>
        md.Append(CultureInfo.InvariantCulture, $"## {title}\n\n{(string.IsNullOrWhiteSpace(text) ? "_To be written._" : text.Trim())}\n\n");
}
