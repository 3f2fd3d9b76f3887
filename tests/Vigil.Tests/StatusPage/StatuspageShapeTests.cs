using System.Text.Json;
using Vigil.Features.Incidents;
using Vigil.Features.Monitors.Health;
using Vigil.Features.Monitors.Uptime;
using Vigil.Features.StatusPage;
using Vigil.Tests.Support;

namespace Vigil.Tests.StatusPage;

/// <summary>
/// Every field of Atlassian Statuspage's public API v2 shapes (https://metastatuspage.com/api/v2/)
/// is present with its JSON type, so a Statuspage client reads our page unchanged.
/// </summary>
public sealed class StatuspageShapeTests
{
    private const JsonValueKind String = JsonValueKind.String, Number = JsonValueKind.Number, Null = JsonValueKind.Null,
        Array = JsonValueKind.Array, Object = JsonValueKind.Object, True = JsonValueKind.True, False = JsonValueKind.False;

    private static readonly Dictionary<string, JsonValueKind[]> Page = new()
    {
        ["id"] = [String],
        ["name"] = [String],
        ["url"] = [String],
        ["time_zone"] = [String],
        ["updated_at"] = [String],
    };

    private static readonly Dictionary<string, JsonValueKind[]> Component = new()
    {
        ["id"] = [String],
        ["name"] = [String],
        ["status"] = [String],
        ["created_at"] = [String],
        ["updated_at"] = [String],
        ["position"] = [Number],
        ["description"] = [String, Null],
        ["showcase"] = [True, False],
        ["start_date"] = [String, Null],
        ["group_id"] = [String, Null],
        ["page_id"] = [String],
        ["group"] = [True, False],
        ["only_show_if_degraded"] = [True, False],
    };

    private static readonly Dictionary<string, JsonValueKind[]> Incident = new()
    {
        ["id"] = [String],
        ["name"] = [String],
        ["status"] = [String],
        ["created_at"] = [String],
        ["updated_at"] = [String],
        ["monitoring_at"] = [String, Null],
        ["resolved_at"] = [String, Null],
        ["impact"] = [String],
        ["shortlink"] = [String],
        ["started_at"] = [String],
        ["page_id"] = [String],
        ["incident_updates"] = [Array],
        ["components"] = [Array],
    };

    private static readonly Dictionary<string, JsonValueKind[]> IncidentUpdate = new()
    {
        ["id"] = [String],
        ["status"] = [String],
        ["body"] = [String],
        ["incident_id"] = [String],
        ["created_at"] = [String],
        ["updated_at"] = [String],
        ["display_at"] = [String],
        ["affected_components"] = [Array, Null],
        ["deliver_notifications"] = [True, False],
        ["custom_tweet"] = [String, Null],
        ["tweet_id"] = [String, Null],
    };

    private static readonly Dictionary<string, JsonValueKind[]> Maintenance = new(Incident)
    {
        ["scheduled_for"] = [String],
        ["scheduled_until"] = [String],
    };

    private static readonly string[] ComponentStatuses = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"];

    private static void AssertShape(JsonElement element, Dictionary<string, JsonValueKind[]> shape, string what)
    {
        Assert.Equal(Object, element.ValueKind);
        foreach (var (field, kinds) in shape)
        {
            Assert.True(element.TryGetProperty(field, out var value), $"{what} has no \"{field}\": {element}");
            Assert.True(kinds.Contains(value.ValueKind), $"{what}.{field} is {value.ValueKind}, expected {string.Join(" or ", kinds)}: {element}");
            if (kinds[0] == String && value.ValueKind == String && field.EndsWith("_at", StringComparison.Ordinal))
            {
                Assert.True(DateTimeOffset.TryParse(value.GetString(), out _), $"{what}.{field} is not a time: {value}");
            }
        }
    }

    private static void AssertComponents(JsonElement components)
    {
        Assert.NotEmpty(components.EnumerateArray());
        foreach (var c in components.EnumerateArray())
        {
            AssertShape(c, Component, "component");
            Assert.Contains(c.GetProperty("status").GetString(), ComponentStatuses);
        }
    }

    /// <summary>A snapshot with an open incident with two public updates and one internal note, and one maintenance opening in progress.</summary>
    private static StatusSnapshot Snapshot()
    {
        var now = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        var page = new StatusPageDefinition { Name = "public", Title = "Acme Status", Components = [] };
        var days = Enumerable.Range(0, 90).Select(d => new GetUptime.DayBar(DateOnly.FromDateTime(now.UtcDateTime).AddDays(d - 89), 100, 0)).ToList();
        ComponentSnapshot[] components =
        [
            new("api", "API", "Core", "The REST API", 1, ServiceStatus.MajorOutage, now, new HashSet<string> { "api" }, 99.5, days, []),
            new("database", "Database", "Core", null, 2, ServiceStatus.UnderMaintenance, now, new HashSet<string> { "db" }, null, days, []),
            new("website", "Website", null, null, 3, ServiceStatus.Operational, now, new HashSet<string> { "web" }, 100, days, []),
        ];
        var incident = new IncidentView("INC-2026-001", "API errors", "P1", "monitoring", now.AddHours(-2), null, now.AddMinutes(-10),
            [new AffectedService("api", Impact.MajorOutage)],
            [new IncidentUpdateView("investigating", "We are looking into errors.", now.AddHours(-2), true), new IncidentUpdateView("monitoring", "A fix is out.", now.AddMinutes(-10), true)]);
        var maintenance = new MaintenanceSnapshot("db-upgrade-1793523600", "db-upgrade", "Upgrading PostgreSQL", new Interval(now.AddHours(-1), now.AddHours(1)), now.AddDays(-3), ["database"]);
        return new StatusSnapshot(page, now, now.AddDays(-30), now, components, [incident], [maintenance]);
    }

    private static JsonElement Parse(Dictionary<string, byte[]> documents, string path) => JsonDocument.Parse(documents[path]).RootElement;

    [Fact]
    public void Summary_has_every_Statuspage_field_for_page_components_incidents_maintenances_and_status()
    {
        var summary = Parse(StatuspageJson.Render(Snapshot()), "summary.json");

        AssertShape(summary.GetProperty("page"), Page, "page");
        AssertComponents(summary.GetProperty("components"));
        var incident = Assert.Single(summary.GetProperty("incidents").EnumerateArray());
        AssertShape(incident, Incident, "incident");
        Assert.Equal("monitoring", incident.GetProperty("status").GetString());
        Assert.Equal("critical", incident.GetProperty("impact").GetString());
        Assert.Equal(2, incident.GetProperty("incident_updates").GetArrayLength());
        foreach (var update in incident.GetProperty("incident_updates").EnumerateArray())
        {
            AssertShape(update, IncidentUpdate, "incident_update");
        }
        Assert.Equal(["api"], incident.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        var maintenance = Assert.Single(summary.GetProperty("scheduled_maintenances").EnumerateArray());
        AssertShape(maintenance, Maintenance, "scheduled_maintenance");
        Assert.Equal("in_progress", maintenance.GetProperty("status").GetString());
        Assert.Equal("maintenance", maintenance.GetProperty("impact").GetString());
        var status = summary.GetProperty("status");
        Assert.Equal("critical", status.GetProperty("indicator").GetString());
        Assert.Equal("Major System Outage", status.GetProperty("description").GetString());
    }

    [Fact]
    public void A_group_is_a_component_listing_its_members_which_point_back_at_it()
    {
        var components = Parse(StatuspageJson.Render(Snapshot()), "components.json").GetProperty("components").EnumerateArray().ToList();

        var group = components.Single(c => c.GetProperty("group").GetBoolean());
        Assert.Equal("Core", group.GetProperty("name").GetString());
        Assert.Equal("major_outage", group.GetProperty("status").GetString());
        Assert.Equal(["api", "database"], group.GetProperty("components").EnumerateArray().Select(c => c.GetString()));
        Assert.All(components.Where(c => c.GetProperty("name").GetString() is "API" or "Database"), c => Assert.Equal(group.GetProperty("id").GetString(), c.GetProperty("group_id").GetString()));
        Assert.Equal(JsonValueKind.Null, components.Single(c => c.GetProperty("name").GetString() == "Website").GetProperty("group_id").ValueKind);
        Assert.Equal([1, 2, 3, 4], components.Select(c => c.GetProperty("position").GetInt32()));
    }

    [Fact]
    public void Every_document_has_the_page_and_its_list()
    {
        var documents = StatuspageJson.Render(Snapshot());

        foreach (var (path, list) in new[]
                 {
                     ("status.json", "status"), ("components.json", "components"), ("incidents.json", "incidents"), ("incidents/unresolved.json", "incidents"),
                     ("scheduled-maintenances.json", "scheduled_maintenances"), ("scheduled-maintenances/upcoming.json", "scheduled_maintenances"),
                     ("scheduled-maintenances/active.json", "scheduled_maintenances"),
                 })
        {
            var root = Parse(documents, path);
            AssertShape(root.GetProperty("page"), Page, $"{path} page");
            Assert.True(root.TryGetProperty(list, out _), $"{path} has no {list}");
        }
        AssertShape(Assert.Single(Parse(documents, "incidents.json").GetProperty("incidents").EnumerateArray()), Incident, "incident");
        AssertShape(Assert.Single(Parse(documents, "scheduled-maintenances/active.json").GetProperty("scheduled_maintenances").EnumerateArray()), Maintenance, "maintenance");
        Assert.Empty(Parse(documents, "scheduled-maintenances/upcoming.json").GetProperty("scheduled_maintenances").EnumerateArray());
    }
}
