using Vigil.Features.Templates;
using Vigil.Metrics;

namespace Vigil.Features.Incidents;

/// <summary>
/// The seeds' communication templates (Initial Alert, Status Update, Resolution), rendered with
/// the alert template engine: the incident's fields are <c>$labels</c> (<c>{{ $labels.id }}</c>,
/// <c>severity</c>, <c>severity_description</c>, <c>service</c>, <c>title</c>, <c>status</c>,
/// <c>impact</c>, <c>message</c>, <c>eta</c>, <c>next_update</c>, <c>commander</c>,
/// <c>duration</c>, <c>root_cause</c>, <c>post_mortem</c>, <c>link</c>).
/// </summary>
public static class StatusMessages
{
    public const string Initial = "initial";
    public const string Update = "update";
    public const string Resolution = "resolution";

    public static IReadOnlyList<string> Kinds { get; } = [Initial, Update, Resolution];

    public const string DefaultInitial = """
        🚨 INCIDENT ALERT
        Incident: #{{ $labels.id }}
        Severity: {{ $labels.severity }}{{ if $labels.severity_description }} - {{ $labels.severity_description }}{{ end }}
        Service: {{ $labels.service }}
        Issue: {{ $labels.title }}
        Impact: {{ $labels.impact }}
        ETA: {{ if $labels.eta }}{{ $labels.eta }}{{ else }}Investigating{{ end }}
        On-Call: {{ $labels.commander }}
        """;

    public const string DefaultUpdate = """
        📊 INCIDENT UPDATE
        Incident: #{{ $labels.id }}
        Status: {{ $labels.status }}
        Progress: {{ $labels.message }}
        ETA: {{ $labels.eta }}
        Next Update: {{ $labels.next_update }}
        """;

    public const string DefaultResolution = """
        ✅ INCIDENT RESOLVED
        Incident: #{{ $labels.id }}
        Duration: {{ $labels.duration }}
        Root Cause: {{ $labels.root_cause }}
        Resolution: {{ $labels.message }}
        Post-Mortem: {{ $labels.post_mortem }}
        """;

    public static string TemplateFor(UpdateTemplates templates, string kind) => kind switch
    {
        Initial => templates.Initial ?? DefaultInitial,
        Resolution => templates.Resolution ?? DefaultResolution,
        _ => templates.Update ?? DefaultUpdate,
    };

    /// <summary>Why a template does not compile, or null.</summary>
    public static string? Check(string template)
    {
        try
        {
            AlertTemplate.Parse(template);
            return null;
        }
        catch (TemplateException e)
        {
            return $"invalid template: {e.Message}";
        }
    }

    public static string Render(string template, IReadOnlyDictionary<string, string?> fields)
    {
        var labels = Labels.From(fields.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => new Label(f.Key, f.Value!)));
        // Lines left with an empty value ("ETA: ") stay: the seeds' messages keep their shape.
        return AlertTemplate.Expand(template, new TemplateData(labels, 0, Labels.Empty, "")).Trim();
    }

    public static Dictionary<string, string?> FieldsOf(Incident incident, IncidentSettings settings, string link, DateTimeOffset now) => new(StringComparer.Ordinal)
    {
        ["id"] = incident.HumanId,
        ["title"] = incident.Title,
        ["severity"] = incident.Severity,
        ["severity_description"] = settings.Severity(incident.Severity)?.Description,
        ["status"] = Capitalise(incident.Status),
        ["service"] = string.Join(", ", incident.Services.Select(s => s.Service)),
        ["impact"] = string.Join(", ", incident.Services.Select(s => $"{s.Service}: {s.Impact.Replace('_', ' ')}")),
        ["commander"] = incident.Commander,
        ["duration"] = ChangeIncidentStatus.Text((incident.ResolvedAt ?? now) - incident.OpenedAt),
        ["link"] = link,
    };

    /// <summary>
    /// What the status page says for an update posted without words of its own: Atlassian
    /// Statuspage's default incident template texts for each status.
    /// </summary>
    public static string PublicDefault(string status) => status switch
    {
        IncidentStatus.Identified => "The issue has been identified and a fix is being implemented.",
        IncidentStatus.Monitoring => "A fix has been implemented and we are monitoring the results.",
        IncidentStatus.Resolved => "This incident has been resolved.",
        _ => "We are currently investigating this issue.",
    };

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
