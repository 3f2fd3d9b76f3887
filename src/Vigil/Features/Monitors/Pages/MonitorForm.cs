using System.Globalization;
using System.Text.Json;
using Vigil.Configuration;

namespace Vigil.Features.Monitors.Pages;

/// <summary>
/// The console's monitor form: the keys of <see cref="MonitorDefinition"/> a person sets by hand, as text.
/// <see cref="ToDefinition"/> makes the body <c>POST/PUT /api/monitors</c> take (so the same rules judge it);
/// on an edit, keys the form does not show (conditions other than the keyword, JSON samples, components,
/// the heartbeat token) are kept from the stored definition. A multi-step check's steps are edited as
/// YAML, in the words of <c>vigil.yaml</c>'s <c>steps:</c>.
/// </summary>
public sealed class MonitorForm
{
    public string? Name { get; set; }
    public string? Type { get; set; }
    public string? Service { get; set; }
    public string? Environment { get; set; }
    public string? Description { get; set; }
    public string? Interval { get; set; }
    public string? Timeout { get; set; }
    public string? Retries { get; set; }
    public string? Severity { get; set; }
    public string? Impact { get; set; }

    // http, websocket, dependency_health
    public string? Url { get; set; }
    public string? Method { get; set; }
    /// <summary>Comma-separated status codes.</summary>
    public string? ExpectedStatus { get; set; }
    /// <summary>Text the body must contain (the first <c>body_contains</c> condition).</summary>
    public string? Keyword { get; set; }
    /// <summary>One a line: <c>Name: value</c>.</summary>
    public string? Headers { get; set; }
    public string? Body { get; set; }
    public string? DegradedAfter { get; set; }
    /// <summary>A checkbox: absent from the post means follow (the default).</summary>
    public bool NoRedirects { get; set; }
    public bool NoTlsVerify { get; set; }

    // tcp, tls, icmp, dns
    public string? Host { get; set; }
    public string? Port { get; set; }

    // dns
    public string? Query { get; set; }
    public string? RecordType { get; set; }
    /// <summary>Comma-separated.</summary>
    public string? Expected { get; set; }

    // tls
    public string? WarningDays { get; set; }
    public string? CriticalDays { get; set; }
    public string? MinTlsVersion { get; set; }

    // heartbeat
    public string? Period { get; set; }
    public string? Cron { get; set; }
    public string? Grace { get; set; }
    public string? MaxDuration { get; set; }

    // websocket
    public string? Send { get; set; }
    public string? Expect { get; set; }

    // multi_step
    /// <summary>The steps as a YAML list, as under <c>steps:</c> in vigil.yaml.</summary>
    public string? Steps { get; set; }

    /// <summary>Which button sent the form: <c>test</c> ("Test now") or <c>save</c>.</summary>
    public string? Action { get; set; }

    /// <summary>The delete form's confirmation box.</summary>
    public bool Confirm { get; set; }

    /// <summary>The kinds as the API spells them (<c>dependency_health</c>).</summary>
    public static string KindName<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static MonitorForm From(MonitorDefinition d) => new()
    {
        Name = d.Name,
        Type = d.Type is { } type ? KindName(type) : null,
        Service = d.Service,
        Environment = d.Environment,
        Description = d.Description,
        Interval = Format(d.Interval),
        Timeout = Format(d.Timeout),
        Retries = d.Retries?.ToString(CultureInfo.InvariantCulture),
        Severity = d.Severity,
        Impact = d.Impact is { } impact ? KindName(impact) : null,
        Url = d.Url,
        Method = d.Method,
        ExpectedStatus = d.ExpectedStatus is null ? null : string.Join(", ", d.ExpectedStatus),
        Keyword = d.Conditions?.FirstOrDefault(c => c.BodyContains is not null)?.BodyContains,
        Headers = d.Headers is null ? null : string.Join("\n", d.Headers.Select(h => $"{h.Key}: {h.Value}")),
        Body = d.Body,
        DegradedAfter = Format(d.DegradedAfter),
        NoRedirects = d.FollowRedirects == false,
        NoTlsVerify = d.VerifyTls == false,
        Host = d.Host,
        Port = d.Port?.ToString(CultureInfo.InvariantCulture),
        Query = d.Query,
        RecordType = d.RecordType is { } record ? KindName(record) : null,
        Expected = d.Expected is null ? null : string.Join(", ", d.Expected),
        WarningDays = d.WarningDays?.ToString(CultureInfo.InvariantCulture),
        CriticalDays = d.CriticalDays?.ToString(CultureInfo.InvariantCulture),
        MinTlsVersion = d.MinTlsVersion,
        Period = Format(d.Period),
        Cron = d.Cron,
        Grace = Format(d.Grace),
        MaxDuration = Format(d.MaxDuration),
        Send = d.Send,
        Expect = d.Expect,
        Steps = d.Steps is { Count: > 0 } steps ? YamlText.FromJson(JsonSerializer.SerializeToElement(steps, ApiJson)) : null,
    };

    private static readonly JsonSerializerOptions ApiJson = CreateApiJson();

    private static JsonSerializerOptions CreateApiJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Hosting.VigilHost.ConfigureJson(json);
        return json;
    }

    /// <summary>The API body this form stands for, and the values it could not read (at the API's paths).</summary>
    /// <param name="existing">The stored definition of the monitor being edited, whose keys the form does not show are kept.</param>
    public (MonitorDefinition Definition, List<FieldError> Errors) ToDefinition(MonitorDefinition? existing = null)
    {
        var errors = new List<FieldError>();
        var d = existing ?? new MonitorDefinition();
        d.Name = Trimmed(Name);
        d.Type = Enum<MonitorType>(Type, "type", errors);
        d.Service = Trimmed(Service);
        d.Environment = Trimmed(Environment);
        d.Description = Trimmed(Description);
        d.Interval = Span(Interval, "interval", errors);
        d.Timeout = Span(Timeout, "timeout", errors);
        d.Retries = Number(Retries, "retries", errors);
        d.Severity = Trimmed(Severity);
        d.Impact = Enum<MonitorImpact>(Impact, "impact", errors);
        d.Url = Trimmed(Url);
        d.Method = Trimmed(Method);
        d.ExpectedStatus = string.IsNullOrWhiteSpace(ExpectedStatus) ? null
            : [.. ExpectedStatus.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select((s, i) => Number(s, $"expected_status[{i}]", errors) ?? 0)];
        var conditions = (d.Conditions ?? []).Where(c => c.BodyContains is null).ToList();
        if (Trimmed(Keyword) is { } keyword)
        {
            conditions.Insert(0, new ConditionDefinition { BodyContains = keyword });
        }
        d.Conditions = conditions.Count == 0 ? null : conditions;
        d.Headers = Pairs(Headers, errors);
        d.Body = string.IsNullOrEmpty(Body) ? null : Body;
        d.DegradedAfter = Span(DegradedAfter, "degraded_after", errors);
        d.FollowRedirects = NoRedirects ? false : null;
        d.VerifyTls = NoTlsVerify ? false : null;
        d.Host = Trimmed(Host);
        d.Port = Number(Port, "port", errors);
        d.Query = Trimmed(Query);
        d.RecordType = Enum<DnsRecordType>(RecordType, "record_type", errors);
        d.Expected = string.IsNullOrWhiteSpace(Expected) ? null : [.. Expected.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        d.WarningDays = Number(WarningDays, "warning_days", errors);
        d.CriticalDays = Number(CriticalDays, "critical_days", errors);
        d.MinTlsVersion = Trimmed(MinTlsVersion);
        d.Period = Span(Period, "period", errors);
        d.Cron = Trimmed(Cron);
        d.Grace = Span(Grace, "grace", errors);
        d.MaxDuration = Span(MaxDuration, "max_duration", errors);
        d.Send = string.IsNullOrEmpty(Send) ? null : Send;
        d.Expect = Trimmed(Expect);
        d.Steps = StepsOf(Steps, errors);
        return (d, errors);
    }

    /// <summary>The steps written in the form, bound as vigil.yaml's are; YAML and binding errors at <c>steps</c> with their line.</summary>
    private static List<StepDefinition>? StepsOf(string? text, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        YamlDotNet.RepresentationModel.YamlStream yaml;
        try
        {
            yaml = YamlText.Load(text);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            errors.Add(new("steps", $"line {e.Start.Line}: invalid YAML: {YamlText.Reason(e)}"));
            return null;
        }
        var root = yaml.Documents.Count > 0 ? yaml.Documents[0].RootNode : null;
        if (root is not YamlDotNet.RepresentationModel.YamlSequenceNode)
        {
            errors.Add(new("steps", "expected a list of steps, each starting with \"- url: ...\""));
            return null;
        }
        var binder = new YamlBinder("steps");
        var steps = binder.Bind<List<StepDefinition>>(root);
        errors.AddRange(binder.Errors.Select(e => new FieldError("steps", $"line {e.Line}: {e.Reason}")));
        return steps;
    }

    private static Dictionary<string, string>? Pairs(string? text, List<FieldError> errors)
    {
        var lines = (text ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return null;
        }
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                errors.Add(new("headers", $"\"{line}\" is not Name: value"));
                continue;
            }
            pairs[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return pairs;
    }

    private static T? Enum<T>(string? text, string path, List<FieldError> errors) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        foreach (var value in System.Enum.GetValues<T>())
        {
            if (KindName(value) == text.Trim())
            {
                return value;
            }
        }
        errors.Add(new(path, $"\"{text}\" is not one of {string.Join(", ", System.Enum.GetValues<T>().Select(KindName))}"));
        return null;
    }

    private static TimeSpan? Span(string? text, string path, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (Duration.TryParse(text.Trim(), out var value))
        {
            return value;
        }
        errors.Add(new(path, $"\"{text}\" is not a duration (30s, 5m, 1h30m)"));
        return null;
    }

    private static int? Number(string? text, string path, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        errors.Add(new(path, $"\"{text}\" is not a whole number"));
        return null;
    }

    private static string? Format(TimeSpan? value) => value is { } v ? Duration.Format(v) : null;

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
