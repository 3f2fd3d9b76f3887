using System.Text.Json;
using System.Text.Json.Serialization;
using Vigil.Features.Incidents;
using Vigil.Hosting;

namespace Vigil.Features.StatusPage;

/// <summary>
/// The status page in the shapes of Atlassian Statuspage's public API v2 (the JSON every status
/// page client and aggregator reads: <c>https://metastatuspage.com/api/v2/</c> documents
/// <c>summary.json</c>, <c>status.json</c>, <c>components.json</c>, <c>incidents.json</c>,
/// <c>incidents/unresolved.json</c>, <c>scheduled-maintenances.json</c> and its
/// <c>upcoming</c>/<c>active</c> lists). Field names and value words follow it exactly; absent
/// values are written as null, as Statuspage does.
/// </summary>
public static class StatuspageJson
{
    public sealed record PageJson(string Id, string Name, string Url, string TimeZone, DateTimeOffset UpdatedAt);

    public sealed record StatusJson(string Indicator, string Description);

    public sealed record ComponentJson(
        string Id, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Position, string? Description,
        bool Showcase, string? StartDate, string? GroupId, string PageId, bool Group, bool OnlyShowIfDegraded,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Components);

    public sealed record AffectedComponentJson(string Code, string Name, string OldStatus, string NewStatus);

    public sealed record IncidentUpdateJson(
        string Id, string Status, string Body, string IncidentId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset DisplayAt,
        IReadOnlyList<AffectedComponentJson>? AffectedComponents, bool DeliverNotifications, string? CustomTweet, string? TweetId);

    public sealed record IncidentJson(
        string Id, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? MonitoringAt, DateTimeOffset? ResolvedAt,
        string Impact, string Shortlink, DateTimeOffset StartedAt, string PageId, IReadOnlyList<IncidentUpdateJson> IncidentUpdates, IReadOnlyList<ComponentJson> Components);

    public sealed record MaintenanceJson(
        string Id, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? MonitoringAt, DateTimeOffset? ResolvedAt,
        string Impact, string Shortlink, DateTimeOffset StartedAt, string PageId, IReadOnlyList<IncidentUpdateJson> IncidentUpdates, IReadOnlyList<ComponentJson> Components,
        DateTimeOffset ScheduledFor, DateTimeOffset ScheduledUntil);

    public sealed record Summary(PageJson Page, IReadOnlyList<ComponentJson> Components, IReadOnlyList<IncidentJson> Incidents, IReadOnlyList<MaintenanceJson> ScheduledMaintenances, StatusJson Status);

    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        VigilHost.ConfigureJson(json);
        return json;
    }

    /// <summary>Every JSON document of the page, by its path under <c>api/v2/</c>.</summary>
    public static Dictionary<string, byte[]> Render(StatusSnapshot s)
    {
        var page = new PageJson(s.Page.Name!, s.Title, s.Url, s.Page.TimeZone ?? "Etc/UTC", s.UpdatedAt);
        var components = Components(s);
        var byId = components.ToDictionary(c => c.Id);
        var (indicator, description) = ComponentStatus.Overall(s.Worst);
        var status = new StatusJson(indicator, description);
        var incidents = s.Incidents.Select(i => Incident(s, i, byId)).ToList();
        var unresolved = incidents.Where(i => i.ResolvedAt is null).ToList();
        var maintenances = s.Maintenances.Select(m => Maintenance(s, m, byId)).ToList();
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["summary.json"] = Bytes(new Summary(page, components, unresolved, [.. maintenances.Where(m => m.Status != "completed")], status)),
            ["status.json"] = Bytes(new { page, status }),
            ["components.json"] = Bytes(new { page, components }),
            ["incidents.json"] = Bytes(new { page, incidents }),
            ["incidents/unresolved.json"] = Bytes(new { page, incidents = unresolved }),
            ["scheduled-maintenances.json"] = Bytes(new { page, scheduled_maintenances = maintenances }),
            ["scheduled-maintenances/upcoming.json"] = Bytes(new { page, scheduled_maintenances = maintenances.Where(m => m.Status == "scheduled").ToList() }),
            ["scheduled-maintenances/active.json"] = Bytes(new { page, scheduled_maintenances = maintenances.Where(m => m.Status == "in_progress").ToList() }),
        };
    }

    private static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Components in page order; each group becomes a group component (<c>group: true</c>, its members' ids) before its first member.</summary>
    private static List<ComponentJson> Components(StatusSnapshot s)
    {
        var pageId = s.Page.Name!;
        var result = new List<ComponentJson>();
        var position = 0;
        foreach (var group in s.Components.GroupBy(c => c.Group))
        {
            string? groupId = null;
            if (group.Key is { } name)
            {
                groupId = "group-" + StatusPageRules.ComponentId(name);
                var worst = group.Max(c => c.Status);
                result.Add(new ComponentJson(groupId, name, ComponentStatus.Word(worst), s.CreatedAt, group.Max(c => c.UpdatedAt), ++position, null,
                    false, null, null, pageId, true, false, [.. group.Select(c => c.Id)]));
            }
            foreach (var c in group)
            {
                result.Add(new ComponentJson(c.Id, c.Name, ComponentStatus.Word(c.Status), s.CreatedAt, c.UpdatedAt, ++position, c.Description,
                    true, null, groupId, pageId, false, false, null));
            }
        }
        return result;
    }

    private static IncidentJson Incident(StatusSnapshot s, IncidentView i, Dictionary<string, ComponentJson> byId)
    {
        var affected = s.Components.Where(c => i.Services.Any(a => c.Services.Contains(a.Service))).Select(c => byId[c.Id]).ToList();
        var updates = i.Updates.OrderByDescending(u => u.At).Select((u, n) => new IncidentUpdateJson(
            $"{i.Id}-{i.Updates.Count - n}", ComponentStatus.IncidentStatus(u.Status), u.Body, i.Id, u.At, u.At, u.At, null, true, null, null)).ToList();
        var monitoringAt = i.Updates.Where(u => u.Status == "monitoring").Select(u => (DateTimeOffset?)u.At).Min();
        var services = s.Components.SelectMany(c => c.Services).ToHashSet(StringComparer.Ordinal);
        return new IncidentJson(i.Id, i.Title, ComponentStatus.IncidentStatus(i.Status), i.OpenedAt, i.UpdatedAt, monitoringAt, i.ResolvedAt,
            ComponentStatus.IncidentImpact(i, services), $"{s.Url}/history#incident-{i.Id}", i.OpenedAt, s.Page.Name!, updates, affected);
    }

    private static MaintenanceJson Maintenance(StatusSnapshot s, MaintenanceSnapshot m, Dictionary<string, ComponentJson> byId)
    {
        var status = m.InProgressAt(s.At) ? "in_progress" : m.When.From > s.At ? "scheduled" : "completed";
        var body = m.Comment ?? $"Scheduled maintenance from {m.When.From:u} to {m.When.To:u}.";
        var update = new IncidentUpdateJson($"{m.Id}-1", "scheduled", body, m.Id, m.CreatedAt, m.CreatedAt, m.CreatedAt, null, true, null, null);
        return new MaintenanceJson(m.Id, m.Name, status, m.CreatedAt, m.CreatedAt, null, status == "completed" ? m.When.To : null,
            "maintenance", $"{s.Url}#maintenance-{m.Id}", m.When.From, s.Page.Name!, [update], [.. m.ComponentIds.Select(id => byId[id])],
            m.When.From, m.When.To);
    }
}
