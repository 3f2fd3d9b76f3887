using System.Text.RegularExpressions;
using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Capacity;

/// <summary>What makes <c>capacity:</c> valid: services known, queries that parse, growth models that can be read.</summary>
public static partial class CapacityRules
{
    public static IReadOnlyList<string> Actions { get; } = ["scale_up", "scale_down", "add_read_replica"];

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex ResourceName();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,62}$")]
    private static partial Regex AnomalyName();

    public static IEnumerable<FieldError> ValidateConfig(VigilConfig config)
    {
        var services = config.Services.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var aliases = ShortFormRule.Aliases(config.Alerting);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Capacity.Services.Count; i++)
        {
            var service = config.Capacity.Services[i];
            var prefix = $"capacity.services[{i}].";
            if (string.IsNullOrWhiteSpace(service.Name) || !services.Contains(service.Name))
            {
                yield return new(prefix + "name", $"unknown service \"{service.Name}\" (define it under services:)");
            }
            else if (!seen.Add(service.Name))
            {
                yield return new(prefix + "name", $"the capacity of \"{service.Name}\" is given twice");
            }
            foreach (var error in ValidateService(service, prefix, aliases))
            {
                yield return error;
            }
        }
        var anomalies = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Capacity.Anomaly.Count; i++)
        {
            var anomaly = config.Capacity.Anomaly[i];
            var prefix = $"capacity.anomaly[{i}].";
            if (anomaly.Name is null || !AnomalyName().IsMatch(anomaly.Name))
            {
                yield return new(prefix + "name", "a name of letters, digits, '_', '.' and '-' is required");
            }
            else if (!anomalies.Add(anomaly.Name))
            {
                yield return new(prefix + "name", $"duplicate anomaly name \"{anomaly.Name}\"");
            }
            if (anomaly.Service is { } s && !services.Contains(s))
            {
                yield return new(prefix + "service", $"unknown service \"{s}\" (define it under services:)");
            }
            if (QueryError(anomaly.Series) is { } seriesError)
            {
                yield return new(prefix + "series", seriesError);
            }
            if (!(anomaly.K > 0))
            {
                yield return new(prefix + "k", "the number of standard deviations must be above 0");
            }
            if (anomaly.Weeks is < 2 or > 52)
            {
                yield return new(prefix + "weeks", "the baseline needs 2 to 52 weeks");
            }
            if (anomaly.MinVolume < 0)
            {
                yield return new(prefix + "min_volume", "must be 0 or more");
            }
        }
    }

    private static IEnumerable<FieldError> ValidateService(CapacityServiceDefinition service, string prefix, IReadOnlyDictionary<string, string> aliases)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < service.Resources.Count; j++)
        {
            var resource = service.Resources[j];
            var at = $"{prefix}resources[{j}].";
            if (resource.Name is null || !ResourceName().IsMatch(resource.Name))
            {
                yield return new(at + "name", "a name of letters, digits and '_' is required (conditions use it)");
            }
            else if (!names.Add(resource.Name))
            {
                yield return new(at + "name", $"duplicate resource \"{resource.Name}\"");
            }
            if (resource.Limit is not > 0)
            {
                yield return new(at + "limit", "a limit above 0 is required");
            }
            if (QueryError(resource.Usage) is { } usageError)
            {
                yield return new(at + "usage", usageError);
            }
            if (resource.Growth is { } growth && GrowthModel.Parse(growth).Error is { } growthError)
            {
                yield return new(at + "growth", growthError);
            }
            if (resource.RunsOutWithin is { } within && within <= TimeSpan.Zero)
            {
                yield return new(at + "runs_out_within", "must be longer than 0");
            }
            if (resource.History is { } history && history < TimeSpan.FromHours(1))
            {
                yield return new(at + "history", "the trend needs at least 1h of history");
            }
        }
        var withResources = GenerateCapacityRules.Aliases(service, aliases);
        foreach (var (list, key) in new[] { (service.ScaleUp, "scale_up"), (service.ScaleDown, "scale_down") })
        {
            for (var j = 0; j < list.Count; j++)
            {
                var trigger = list[j];
                var at = $"{prefix}{key}[{j}].";
                if ((trigger.Condition is null) == (trigger.Expr is null))
                {
                    yield return new(at + "condition", "set one of condition (e.g. \"cpu_usage > 70%\") or expr (PromQL)");
                    continue;
                }
                if (trigger.Action is { } action && !Actions.Contains(action))
                {
                    yield return new(at + "action", $"\"{action}\" is not one of {string.Join(", ", Actions)}");
                }
                string? error;
                try
                {
                    error = QueryError(GenerateCapacityRules.TriggerExpression(trigger, service.Name, withResources));
                }
                catch (FormatException e)
                {
                    error = e.Message;
                }
                if (error is not null)
                {
                    yield return new(at + (trigger.Expr is null ? "condition" : "expr"), error);
                }
            }
        }
    }

    /// <summary>Why a query is missing or does not parse as an instant vector, or null when it is fine.</summary>
    public static string? QueryError(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return "a PromQL query is required";
        }
        try
        {
            var expr = PromQLParser.Parse(query);
            return expr.Type is PromValueType.InstantVector or PromValueType.Scalar ? null : "the query must give an instant vector or a scalar";
        }
        catch (PromQLParseException e)
        {
            return $"not a PromQL query: {e.Message}";
        }
    }
}
