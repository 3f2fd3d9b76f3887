using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;
using Vigil.Hosting;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Inbound;

/// <summary>
/// <c>POST /api/v2/alerts</c>, Alertmanager's API v2 for senders: a JSON list of
/// <c>postableAlert</c> (<c>labels</c>, <c>annotations</c>, <c>startsAt</c>, <c>endsAt</c>,
/// <c>generatorURL</c>), so Prometheus and vmalert send to Vigil unchanged, with
/// <c>authorization: {credentials: TOKEN}</c> in their alertmanager_config. Checked as
/// Alertmanager checks (types.Alert.Validate): a start is now when missing, labels non-empty with
/// valid names, the end not before the start. Unlike Alertmanager, which stores the valid alerts of
/// a batch that has invalid ones, a batch with an invalid alert is refused whole.
/// </summary>
public static partial class ReceiveAlertmanagerAlerts
{
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    public static async Task<Results<Ok, ProblemHttpResult, ValidationProblem>> Handle(
        HttpRequest request, IntegrationTokens integrations, IAlertIngest ingest, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (integrations.Find(IntegrationType.Alertmanager, IntegrationTokens.Bearer(request)) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not authenticated",
                detail: "send the token of an alertmanager integration (alerting.integrations) as \"Authorization: Bearer <token>\"");
        }
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            return Problems.Field("", $"invalid JSON: {e.Message}");
        }
        var (alerts, errors) = Parse(body, clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        await ingest.PutAsync(alerts, cancellationToken);
        return TypedResults.Ok();
    }

    public static (List<IncomingAlert> Alerts, List<FieldError> Errors) Parse(JsonElement body, DateTimeOffset now)
    {
        var alerts = new List<IncomingAlert>();
        var errors = new List<FieldError>();
        if (body.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new FieldError("", "expected a JSON list of alerts"));
            return (alerts, errors);
        }
        var index = 0;
        foreach (var item in body.EnumerateArray())
        {
            var path = $"[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FieldError(path, "expected an alert object"));
                continue;
            }
            var labels = Map(item, "labels", path, errors);
            var annotations = Map(item, "annotations", path, errors);
            errors.AddRange(TextLimits.Check(labels, path + ".labels"));
            errors.AddRange(TextLimits.Check(annotations, path + ".annotations"));
            var startsAt = Time(item, "startsAt", path, errors);
            var endsAt = Time(item, "endsAt", path, errors);
            if (labels.Count == 0)
            {
                errors.Add(new FieldError(path + ".labels", "at least one label pair required"));
            }
            foreach (var name in labels.Select(l => l.Name).Where(n => !LabelName().IsMatch(n)))
            {
                errors.Add(new FieldError(path + ".labels", $"invalid label set: invalid name \"{name}\""));
            }
            if (endsAt is { } end && end < (startsAt ?? now))
            {
                errors.Add(new FieldError(path + ".endsAt", "start time must be before end time"));
            }
            var generator = item.TryGetProperty("generatorURL", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString()! : "";
            alerts.Add(new IncomingAlert(labels, annotations, startsAt, endsAt, generator, "alertmanager"));
        }
        return (alerts, errors);
    }

    private static Labels Map(JsonElement item, string key, string path, List<FieldError> errors)
    {
        if (!item.TryGetProperty(key, out var map) || map.ValueKind == JsonValueKind.Null)
        {
            return Labels.Empty;
        }
        if (map.ValueKind != JsonValueKind.Object || map.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            errors.Add(new FieldError($"{path}.{key}", "expected an object of strings"));
            return Labels.Empty;
        }
        // Alertmanager drops labels with empty values, as a label set cannot hold one.
        return Labels.From(map.EnumerateObject().Where(p => p.Value.GetString()!.Length > 0).Select(p => new Label(p.Name, p.Value.GetString()!)));
    }

    private static DateTimeOffset? Time(JsonElement item, string key, string path, List<FieldError> errors)
    {
        if (!item.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time))
        {
            // Go's zero time (0001-01-01T00:00:00Z) means "not set".
            return time.Year <= 1 ? null : time;
        }
        errors.Add(new FieldError($"{path}.{key}", "expected an RFC 3339 date-time"));
        return null;
    }
}
