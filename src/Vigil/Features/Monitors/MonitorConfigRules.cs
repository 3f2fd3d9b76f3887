using Vigil.Configuration;

namespace Vigil.Features.Monitors;

/// <summary>The <c>monitors:</c> and <c>monitoring:</c> rules of a whole file: names and heartbeat tokens unique, services known.</summary>
public static class MonitorConfigRules
{
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
