using System.Text.Json;

namespace Vigil.Features.Monitors.Probes;

/// <summary>
/// Dependency health: reads an <c>/api/health</c>-style JSON document (the seeds'
/// <c>"database": "connected"</c>, <c>"external_apis": {"shopify": "degraded"}</c>) and maps each
/// string value to a component status. Words it knows (connected, healthy, degraded, down, ...)
/// are read everywhere; components listed under <c>components:</c> must be present.
/// The monitor is the worst of its listed components when it lists any (a monitor of the
/// <c>shopify</c> service that lists <c>external_apis.shopify</c> takes that field's status alone,
/// not redis's), else the worst of all it found.
/// </summary>
public sealed class DependencyHealthProbe(HttpExchange http) : IMonitorProbe
{
    private static readonly HashSet<string> UpWords = new(["ok", "up", "healthy", "connected", "operational", "pass", "passing", "available", "green"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> DegradedWords = new(["degraded", "warn", "warning", "slow", "partial", "yellow"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> DownWords = new(["down", "unhealthy", "disconnected", "error", "fail", "failed", "failing", "critical", "unavailable", "red", "outage"], StringComparer.OrdinalIgnoreCase);

    public MonitorType Type => MonitorType.DependencyHealth;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        var (answer, failure) = await http.SendAsync("GET", m.Url!, m.Headers, null, m.FollowRedirects ?? true, m.VerifyTls ?? true, cancellationToken);
        if (answer is null)
        {
            return CheckResult.Down(failure!, TimeSpan.Zero);
        }
        List<ComponentResult> components;
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            components = Components(document.RootElement, m.Components?.Keys.ToList() ?? []);
        }
        catch (JsonException)
        {
            return CheckResult.Down($"status {answer.Status}: body is not JSON", answer.Elapsed);
        }
        return Judge(components, answer.Status, answer.Elapsed, m.DegradedAfter, m.Components?.Keys);
    }

    /// <summary>Every component with a known word, plus every listed one (absent or unknown words are down).</summary>
    public static List<ComponentResult> Components(JsonElement root, IEnumerable<string> listed)
    {
        var found = new List<ComponentResult>();
        Walk(root, "", found);
        foreach (var name in listed.Where(n => found.All(c => c.Name != n)))
        {
            var value = JsonPath.TryParse(name, out var path) && path.Find(root) is { } v ? JsonPath.Text(v) : "(missing)";
            found.Add(new ComponentResult(name, MonitorStatus.Down, value));
        }
        return found;
    }

    private static void Walk(JsonElement element, string path, List<ComponentResult> found)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Walk(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", found);
            }
        }
        else if (element.ValueKind == JsonValueKind.String && path.Length > 0 && Classify(element.GetString()!) is { } status)
        {
            found.Add(new ComponentResult(path, status, element.GetString()!));
        }
    }

    public static MonitorStatus? Classify(string word) =>
        UpWords.Contains(word) ? MonitorStatus.Up
        : DegradedWords.Contains(word) ? MonitorStatus.Degraded
        : DownWords.Contains(word) ? MonitorStatus.Down
        : null;

    /// <param name="listed">The monitor's <c>components:</c>; when there are any, only they decide its status.</param>
    public static CheckResult Judge(IReadOnlyList<ComponentResult> components, int status, TimeSpan elapsed, TimeSpan? degradedAfter, IEnumerable<string>? listed = null)
    {
        var deciding = listed?.ToHashSet(StringComparer.Ordinal) is { Count: > 0 } names ? components.Where(c => names.Contains(c.Name)).ToList() : components;
        var worst = deciding.Where(c => c.Status != MonitorStatus.Up).OrderByDescending(c => c.Status).ToList();
        if (worst.Count == 0)
        {
            return (status is >= 200 and < 300
                ? CheckResult.UpUnless(degradedAfter, $"{deciding.Count} components healthy", elapsed)
                : CheckResult.Down($"status {status}", elapsed)) with
            { Components = components };
        }
        var reason = string.Join(", ", worst.Select(c => $"{c.Name}: {c.Value}"));
        return new CheckResult(worst[0].Status, reason, elapsed) { Components = components };
    }
}
