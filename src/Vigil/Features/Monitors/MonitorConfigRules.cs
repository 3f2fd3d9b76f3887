using Vigil.Configuration;

namespace Vigil.Features.Monitors;

/// <summary>The <c>monitors:</c> and <c>monitoring:</c> rules of a whole file: names and heartbeat tokens unique, services known.</summary>
public static class MonitorConfigRules
{
    /// <summary>The addresses a monitor connects to, by path (for the API too, with an empty prefix), for the outbound policy.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(MonitorDefinition monitor, string prefix)
    {
        if (monitor.Url is { } url)
        {
            yield return ($"{prefix}url", url, true);
        }
        if (monitor.Host is { } host)
        {
            yield return ($"{prefix}host", host, false);
        }
        var steps = monitor.Steps ?? [];
        for (var j = 0; j < steps.Count; j++)
        {
            // A step URL may be built from extracted values (${host}); the check at request time covers those.
            if (steps[j].Url is { } stepUrl && !stepUrl.Contains("${", StringComparison.Ordinal))
            {
                yield return ($"{prefix}steps[{j}].url", stepUrl, true);
            }
        }
    }

    /// <summary>Every monitor's addresses in the file.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(VigilConfig config) =>
        config.Monitors.SelectMany((monitor, i) => Destinations(monitor, $"monitors[{i}]."));

    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        var environments = config.Services.Where(s => s.Name is not null).GroupBy(s => s.Name!)
            .ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)[.. g.SelectMany(s => s.Environments ?? []).Select(e => e.Name!)]);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Monitors.Count; i++)
        {
            var m = config.Monitors[i];
            if (m.Name is not null && !names.Add(m.Name))
            {
                yield return new($"monitors[{i}].name", $"duplicate monitor name \"{m.Name}\"");
            }
            if (m.Token is not null && !tokens.Add(m.Token))
            {
                yield return new($"monitors[{i}].token", "another heartbeat has the same token");
            }
            foreach (var error in MonitorRules.Validate(m, $"monitors[{i}].", s => environments.GetValueOrDefault(s)))
            {
                yield return error;
            }
        }
        if (config.Monitoring.MaxConcurrentChecks < 1)
        {
            yield return new("monitoring.max_concurrent_checks", "must be at least 1");
        }
        if (config.Monitoring.MaxConcurrentPerHost < 1)
        {
            yield return new("monitoring.max_concurrent_per_host", "must be at least 1");
        }
    }
}
