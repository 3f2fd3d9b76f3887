using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;
using Vigil.Hosting;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Inbound;

/// <summary>
/// <c>POST /api/integrations/webhook/{name}</c>: any JSON (Sentry, Datadog, CloudWatch via SNS, ...)
/// turned into an alert by the integration's <c>mapping</c> of dotted paths. The token is sent as
/// <c>Authorization: Bearer</c> or, for senders that cannot set headers, as <c>?token=</c>.
/// Without a <c>dedup_key</c> path the alert is identified by its labels. A firing alert stays open
/// until a resolved one with the same identity arrives, or for <c>routing.resolve_timeout</c>
/// when the mapping has no status.
/// </summary>
public static class ReceiveWebhookAlert
{
    public static async Task<Results<Ok, ProblemHttpResult, ValidationProblem>> Handle(
        string name, HttpRequest request, IntegrationTokens integrations, IAlertIngest ingest, TimeProvider clock, CancellationToken cancellationToken)
    {
        var token = IntegrationTokens.Bearer(request) ?? request.Query["token"].ToString();
        if (integrations.Find(IntegrationType.Webhook, token, name) is null || integrations.MappingOf(name) is not { } mapping)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not authenticated",
                detail: $"send the token of the webhook integration \"{name}\" as \"Authorization: Bearer <token>\" or ?token=");
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
        var (alert, errors) = Map(body, mapping, name, clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        await ingest.PutAsync([alert!], cancellationToken);
        return TypedResults.Ok();
    }

    public static (IncomingAlert? Alert, List<FieldError> Errors) Map(JsonElement body, WebhookMapping mapping, string integration, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        var alertname = At(body, mapping.Alertname!);
        if (string.IsNullOrEmpty(alertname))
        {
            errors.Add(new FieldError(mapping.Alertname!, "the alert name is missing at this path"));
            return (null, errors);
        }
        var labels = Labels.Of("alertname", alertname, "integration", integration);
        foreach (var (label, path) in mapping.Labels)
        {
            if (At(body, path) is { Length: > 0 } value)
            {
                labels = labels.With(label, value);
            }
        }
        if (mapping.DedupKey is { } keyPath && At(body, keyPath) is { Length: > 0 } key)
        {
            labels = labels.With("dedup_key", key);
        }
        var annotations = Labels.Empty;
        foreach (var (annotation, path) in mapping.Annotations)
        {
            if (At(body, path) is { Length: > 0 } value)
            {
                annotations = annotations.With(annotation, value);
            }
        }
        DateTimeOffset? endsAt = null;
        if (mapping.Status is { } statusPath)
        {
            var resolved = string.Equals(At(body, statusPath), mapping.ResolvedValue, StringComparison.OrdinalIgnoreCase);
            endsAt = resolved ? now : ReceivePagerDutyEvent.OpenEnded;
        }
        errors.AddRange(TextLimits.Check(labels, "labels"));
        errors.AddRange(TextLimits.Check(annotations, "annotations"));
        return (new IncomingAlert(labels, annotations, null, endsAt, "", $"webhook:{integration}"), errors);
    }

    /// <summary>The text at a dotted path (<c>a.b.0.c</c>: object keys and list indexes); numbers and booleans as written.</summary>
    public static string? At(JsonElement root, string path)
    {
        var node = root;
        foreach (var part in path.Split('.'))
        {
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(part, out var child))
            {
                node = child;
            }
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(part, out var i) && i >= 0 && i < node.GetArrayLength())
            {
                node = node[i];
            }
            else
            {
                return null;
            }
        }
        return node.ValueKind switch
        {
            JsonValueKind.String => node.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => node.GetRawText(),
            _ => null,
        };
    }
}
