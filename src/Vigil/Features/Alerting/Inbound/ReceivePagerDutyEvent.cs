using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Inbound;

/// <summary>
/// <c>POST /api/integrations/pagerduty/enqueue</c>, compatible with PagerDuty's Events API v2
/// (<c>/v2/enqueue</c>): <c>routing_key</c> is the token of a <c>pagerduty</c> integration;
/// <c>trigger</c> raises (or updates) the alert of <c>dedup_key</c> and keeps it open until a
/// <c>resolve</c> with the same key; <c>acknowledge</c> is accepted and changes nothing (Vigil
/// acknowledges incidents, not alerts). Answers as PagerDuty does: 202
/// <c>{"status":"success","message":"Event processed","dedup_key":...}</c>, or 400
/// <c>{"status":"invalid event","message":"Event object is invalid","errors":[...]}</c>.
/// </summary>
public static class ReceivePagerDutyEvent
{
    /// <summary>A triggered event stays open until it is resolved: its end is the latest time there is.</summary>
    public static readonly DateTimeOffset OpenEnded = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Severities = ["critical", "error", "warning", "info"];

    public static async Task<IResult> Handle(HttpRequest request, IntegrationTokens integrations, IAlertIngest ingest, VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return Invalid("Event object is invalid", ["body is not valid JSON"]);
        }
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Invalid("Event object is invalid", ["event must be a JSON object"]);
        }
        var routingKey = Text(body, "routing_key");
        var integration = integrations.Find(IntegrationType.Pagerduty, routingKey);
        if (integration is null)
        {
            return Invalid("Event object is invalid", [routingKey is null ? "'routing_key' is missing." : "'routing_key' is not the key of a pagerduty integration."]);
        }
        var action = Text(body, "event_action");
        var dedupKey = Text(body, "dedup_key");
        var now = clock.GetUtcNow();
        switch (action)
        {
            case "trigger":
                var (alert, errors) = Trigger(body, dedupKey ?? Guid.NewGuid().ToString("N"), integration, now);
                if (errors.Count > 0)
                {
                    return Invalid("Event object is invalid", errors);
                }
                await ingest.PutAsync([alert!], cancellationToken);
                return Accepted(alert!.Labels.Get("dedup_key"));
            case "acknowledge" or "resolve":
                if (dedupKey is null)
                {
                    return Invalid("Event object is invalid", ["'dedup_key' is required for acknowledge and resolve events."]);
                }
                if (action == "resolve")
                {
                    var open = (await db.Set<StoredAlert>().AsNoTracking().Where(a => a.Source == "pagerduty" && a.EndsAt > now).ToListAsync(cancellationToken))
                        .Where(a => a.Labels.Get("dedup_key") == dedupKey && a.Labels.Get("integration") == integration).ToList();
                    if (open.Count > 0)
                    {
                        await ingest.PutAsync([.. open.Select(a => new IncomingAlert(a.Labels, a.Annotations, a.StartsAt, now, a.GeneratorUrl, "pagerduty"))], cancellationToken);
                    }
                }
                return Accepted(dedupKey);
            default:
                return Invalid("Event object is invalid", ["'event_action' must be one of trigger, acknowledge, resolve."]);
        }
    }

    /// <summary>
    /// A trigger as an alert: labels <c>alertname</c> (payload.class, else "PagerDutyEvent"),
    /// <c>dedup_key</c>, <c>integration</c>, <c>severity</c>, <c>source</c>, and <c>component</c> and
    /// <c>group</c> when given; annotations <c>summary</c> and each of <c>custom_details</c>.
    /// </summary>
    public static (IncomingAlert? Alert, List<string> Errors) Trigger(JsonElement body, string dedupKey, string integration, DateTimeOffset now)
    {
        var errors = new List<string>();
        if (!body.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
        {
            return (null, ["'payload' is missing or not an object."]);
        }
        var summary = Text(payload, "summary");
        var source = Text(payload, "source");
        var severity = Text(payload, "severity");
        if (string.IsNullOrEmpty(summary))
        {
            errors.Add("'payload.summary' is missing or blank.");
        }
        else if (summary.Length > 1024)
        {
            errors.Add("'payload.summary' is longer than 1024 characters.");
        }
        if (string.IsNullOrEmpty(source))
        {
            errors.Add("'payload.source' is missing or blank.");
        }
        if (severity is null || !Severities.Contains(severity))
        {
            errors.Add("'payload.severity' must be one of critical, error, warning, info.");
        }
        DateTimeOffset? startsAt = null;
        if (Text(payload, "timestamp") is { } timestamp)
        {
            if (DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t))
            {
                startsAt = t;
            }
            else
            {
                errors.Add("'payload.timestamp' is not an ISO 8601 date-time.");
            }
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var labels = Labels.Of("alertname", Text(payload, "class") ?? "PagerDutyEvent", "dedup_key", dedupKey, "integration", integration, "severity", severity!, "source", source!);
        foreach (var key in new[] { "component", "group" })
        {
            if (Text(payload, key) is { Length: > 0 } value)
            {
                labels = labels.With(key, value);
            }
        }
        var annotations = Labels.Of("summary", summary!);
        if (payload.TryGetProperty("custom_details", out var details) && details.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in details.EnumerateObject().Where(p => p.Name != "summary"))
            {
                annotations = annotations.With(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
            }
        }
        errors.AddRange(TextLimits.Check(labels, "payload").Concat(TextLimits.Check(annotations, "payload.custom_details")).Select(e => $"'{e.Path}' {e.Reason}."));
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new IncomingAlert(labels, annotations, startsAt ?? now, OpenEnded, Text(body, "client_url") ?? "", "pagerduty"), errors);
    }

    private static string? Text(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IResult Accepted(string dedupKey) =>
        TypedResults.Json(new Dictionary<string, object?> { ["status"] = "success", ["message"] = "Event processed", ["dedup_key"] = dedupKey }, statusCode: StatusCodes.Status202Accepted);

    private static IResult Invalid(string message, IReadOnlyList<string> errors) =>
        TypedResults.Json(new Dictionary<string, object?> { ["status"] = "invalid event", ["message"] = message, ["errors"] = errors }, statusCode: StatusCodes.Status400BadRequest);
}
