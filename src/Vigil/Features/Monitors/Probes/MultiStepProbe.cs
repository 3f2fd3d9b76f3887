using System.Text.RegularExpressions;

namespace Vigil.Features.Monitors.Probes;

/// <summary>
/// Multi-step API check (the seeds' "verify critical user flows": log in, add to cart, check out):
/// requests in order, each with its own conditions; values extracted from one answer
/// (<c>json:PATH</c>, <c>header:NAME</c>) replace <c>${name}</c> in later steps. The first failing step decides.
/// </summary>
public sealed partial class MultiStepProbe(HttpExchange http) : IMonitorProbe
{
    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex Placeholder();

    public MonitorType Type => MonitorType.MultiStep;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        // Where each value was read: it may go back there, or to a host in outbound.extract_to, nowhere else.
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var total = TimeSpan.Zero;
        for (var i = 0; i < m.Steps!.Count; i++)
        {
            var step = m.Steps[i];
            var label = $"step {i + 1}{(step.Name is null ? "" : $" ({step.Name})")}";
            var headers = step.Headers?.ToDictionary(h => h.Key, h => Fill(h.Value, values));
            var url = Fill(step.Url!, values);
            var host = Uri.TryCreate(url, UriKind.Absolute, out var target) ? target.Host : url;
            var used = new[] { step.Url, step.Body }.Concat(step.Headers?.Values.AsEnumerable() ?? []).Where(t => t is not null)
                .SelectMany(t => Placeholder().Matches(t!).Select(match => match.Groups[1].Value));
            if (used.FirstOrDefault(name => sources.TryGetValue(name, out var source) && !Outbound.OutboundConnector.Current.MayForwardExtract(source, host)) is { } leaked)
            {
                return CheckResult.Down($"{label}: the value ${{{leaked}}} was read from {sources[leaked]} and may not be sent to {host}; list {host} under outbound.extract_to to allow it", total);
            }
            var (answer, failure) = await http.SendAsync(step.Method ?? "GET", url, headers, step.Body is null ? null : Fill(step.Body, values),
                m.FollowRedirects ?? true, m.VerifyTls ?? true, cancellationToken);
            if (answer is null)
            {
                return CheckResult.Down($"{label}: {failure}", total);
            }
            total += answer.Elapsed;
            if (ResponseConditions.Failure(answer, step.ExpectedStatus, step.Conditions) is { } reason)
            {
                return CheckResult.Down($"{label}: {reason}", total);
            }
            foreach (var (name, source) in step.Extract ?? [])
            {
                string? value = source.StartsWith("header:", StringComparison.Ordinal)
                    ? answer.Headers.GetValueOrDefault(source[7..])
                    : JsonPath.TryParse(source[5..], out var path) ? ResponseConditions.Extract(answer.Body, path) : null;
                if (value is null)
                {
                    return CheckResult.Down($"{label}: nothing to extract for {name} at {source}", total);
                }
                values[name] = value;
                sources[name] = host;
            }
        }
        return CheckResult.UpUnless(m.DegradedAfter, $"{m.Steps.Count} steps passed", total);
    }

    private static string Fill(string text, Dictionary<string, string> values) =>
        Placeholder().Replace(text, match => values.GetValueOrDefault(match.Groups[1].Value, match.Value));
}
