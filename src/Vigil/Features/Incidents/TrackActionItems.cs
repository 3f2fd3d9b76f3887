using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Incidents;

/// <summary>
/// Post-mortem action items: <c>POST /api/incidents/{id}/action-items</c>, <c>PUT /api/action-items/{n}</c>,
/// and <c>GET /api/action-items?status=open</c> across incidents. An item stays open until marked done.
/// </summary>
public static class TrackActionItems
{
    public sealed class Request
    {
        public string? Title { get; set; }
        public string? Owner { get; set; }
        public DateOnly? DueOn { get; set; }
        /// <summary>open or done.</summary>
        public string? Status { get; set; }
    }

    public sealed record ItemView(int Id, string Incident, string Title, string? Owner, DateOnly? DueOn, string Status, DateTimeOffset CreatedAt, DateTimeOffset? DoneAt);

    public static async Task<IResult> Add(string id, Request? body, IncidentWorkspace work, CancellationToken cancellationToken)
    {
        if (body is null || string.IsNullOrWhiteSpace(body.Title))
        {
            return Hosting.Problems.Field("title", "an action item needs a title");
        }
        if (body.Status is not null and not ("open" or "done"))
        {
            return Hosting.Problems.Field("status", "open or done");
        }
        if (await work.FindAsync(id, cancellationToken) is not { } incident)
        {
            return Hosting.Problems.NotFound($"no incident {id}");
        }
        var now = work.Now;
        var item = new ActionItem { IncidentId = incident.Id, Title = body.Title.Trim(), Owner = body.Owner, DueOn = body.DueOn, Status = body.Status ?? "open", CreatedAt = now, DoneAt = body.Status == "done" ? now : null };
        work.Db.Add(item);
        work.Record(incident, "note", null, $"Action item: {item.Title}{(item.Owner is null ? "" : $" (owner {item.Owner})")}");
        work.Audit.Record("add_action_item", "incident", incident.HumanId, new { title = item.Title });
        await work.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/action-items/{item.Id}", new ItemView(item.Id, incident.HumanId, item.Title, item.Owner, item.DueOn, item.Status, item.CreatedAt, item.DoneAt));
    }

    public static async Task<IResult> Update(int itemId, Request? body, IncidentWorkspace work, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Hosting.Problems.Field("body", "a JSON action item is required");
        }
        if (body.Status is not null and not ("open" or "done"))
        {
            return Hosting.Problems.Field("status", "open or done");
        }
        if (body.Title is not null && string.IsNullOrWhiteSpace(body.Title))
        {
            return Hosting.Problems.Field("title", "must not be empty");
        }
        var item = await work.Db.Set<ActionItem>().SingleOrDefaultAsync(a => a.Id == itemId, cancellationToken);
        if (item is null)
        {
            return Hosting.Problems.NotFound($"no action item {itemId}");
        }
        item.Title = body.Title?.Trim() ?? item.Title;
        item.Owner = body.Owner ?? item.Owner;
        item.DueOn = body.DueOn ?? item.DueOn;
        if (body.Status is { } status && status != item.Status)
        {
            item.Status = status;
            item.DoneAt = status == "done" ? work.Now : null;
        }
        work.Audit.Record("update_action_item", "action_item", item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new { status = item.Status });
        await work.CommitAsync(cancellationToken);
        return TypedResults.Ok((await QueryAsync(work.Db, item.IncidentId, null, cancellationToken)).Single(i => i.Id == item.Id));
    }

    public static async Task<IResult> List(string? status, string? owner, IncidentWorkspace work, CancellationToken cancellationToken)
    {
        if (status is not null and not ("open" or "done"))
        {
            return Hosting.Problems.Field("status", "open or done");
        }
        var items = await QueryAsync(work.Db, null, status, cancellationToken);
        return TypedResults.Ok(owner is null ? items : items.Where(i => i.Owner == owner).ToList());
    }

    public static async Task<List<ItemView>> QueryAsync(VigilDbContext db, int? incidentId, string? status, CancellationToken cancellationToken)
    {
        var items = db.Set<ActionItem>().AsNoTracking();
        if (incidentId is { } id)
        {
            items = items.Where(a => a.IncidentId == id);
        }
        if (status is not null)
        {
            items = items.Where(a => a.Status == status);
        }
        var rows = await items.Join(db.Set<Incident>(), a => a.IncidentId, i => i.Id, (a, i) => new { a, i.HumanId }).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.a.DueOn ?? DateOnly.MaxValue).ThenBy(r => r.a.Id)
            .Select(r => new ItemView(r.a.Id, r.HumanId, r.a.Title, r.a.Owner, r.a.DueOn, r.a.Status, r.a.CreatedAt, r.a.DoneAt))];
    }
}
