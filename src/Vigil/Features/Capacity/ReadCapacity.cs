using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;
using Vigil.Features.Metrics;
using Vigil.Features.Metrics.PrometheusApi;
using Vigil.Hosting;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Capacity;

/// <summary><c>GET /api/capacity</c> and <c>GET /api/capacity/{service}</c>: each resource's usage, limit and headroom now, and the generated triggers.</summary>
public static class ReadCapacity
{
    /// <param name="Current">The usage now; when the query gives several series, the largest.</param>
    /// <param name="Headroom">limit − current, in the unit.</param>
    /// <param name="Utilisation">current / limit.</param>
    public sealed record ResourceView(string Name, string? Unit, double Limit, string Usage, double? Current, double? Headroom, double? Utilisation, string? Growth, string? RunsOutWithin);

    /// <summary>A generated alerting rule, as the rule loop evaluates it.</summary>
    public sealed record TriggerView(string Alert, string Action, string Expr, string For, string Severity, IReadOnlyDictionary<string, string> Annotations);

    public sealed record ServiceCapacityView(string Service, string RuleGroup, IReadOnlyList<ResourceView> Resources, IReadOnlyList<TriggerView> Triggers);

    public static async Task<Ok<List<ServiceCapacityView>>> List(CapacityCatalog catalog, EvaluateQuery evaluate, TimeProvider clock, CancellationToken cancellationToken)
    {
        var views = new List<ServiceCapacityView>();
        foreach (var service in catalog.Settings.Services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            views.Add(await ViewAsync(service, catalog, evaluate, clock.GetUtcNow(), cancellationToken));
        }
        return TypedResults.Ok(views);
    }

    public static async Task<Results<Ok<ServiceCapacityView>, ProblemHttpResult>> Get(string service, CapacityCatalog catalog, EvaluateQuery evaluate, TimeProvider clock, CancellationToken cancellationToken) =>
        catalog.Find(service) is { } found
            ? TypedResults.Ok(await ViewAsync(found, catalog, evaluate, clock.GetUtcNow(), cancellationToken))
            : Problems.NotFound($"no capacity model for service \"{service}\"");

    public static async Task<ServiceCapacityView> ViewAsync(CapacityServiceDefinition service, CapacityCatalog catalog, EvaluateQuery evaluate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var resources = new List<ResourceView>();
        foreach (var r in service.Resources)
        {
            var current = await UsageAsync(r.Usage!, evaluate, now, cancellationToken);
            var limit = r.Limit!.Value;
            resources.Add(new ResourceView(r.Name!, r.Unit, limit, r.Usage!, current, limit - current, current / limit, r.Growth,
                r.RunsOutWithin is { } within ? GenerateCapacityRules.PromDuration(within) : null));
        }
        var group = GenerateCapacityRules.GroupName(service.Name!);
        var triggers = catalog.Groups.Where(g => g.GeneratedBy == group).SelectMany(g => g.Rules).Select(ToView).ToList();
        return new ServiceCapacityView(service.Name!, group, resources, triggers);
    }

    private static TriggerView ToView(Rule rule)
    {
        string Label(string name) => rule.Labels.FirstOrDefault(l => l.Key == name).Value ?? "";
        return new TriggerView(rule.Alert!, Label("capacity_action"), rule.ExprText, Duration.Format(rule.For), Label("severity"),
            rule.Annotations.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));
    }

    /// <summary>The usage now: a scalar, or the largest value of a vector; null when there is none or the query fails.</summary>
    public static async Task<double?> UsageAsync(string usage, EvaluateQuery evaluate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await evaluate.InstantAsync(PromQLParser.Parse(usage), now.ToUnixTimeMilliseconds(), null, cancellationToken) switch
            {
                ScalarValue s => s.Value,
                VectorValue { Samples.Count: > 0 } v => v.Samples.Max(s => s.Value),
                _ => null,
            };
        }
        catch (ApiError)
        {
            return null;
        }
    }
}
