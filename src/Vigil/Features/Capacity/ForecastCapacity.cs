using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;
using Vigil.Features.Metrics;
using Vigil.Features.Metrics.PrometheusApi;
using Vigil.Hosting;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Capacity;

/// <summary>
/// <c>GET /api/capacity/{service}/forecast?resource=R&amp;horizon=90d</c> and
/// <c>GET /api/forecast?query=PROMQL&amp;horizon=30d&amp;limit=N&amp;growth=3x/year</c>: the history of a
/// series over <c>history</c> (default 30d), its least-squares trend and declared growth to the horizon,
/// the date each reaches the limit, and the projection table (now, +6 months, +12 months).
/// </summary>
public static class ForecastCapacity
{
    public sealed record ForecastView(
        string Query, DateTimeOffset From, DateTimeOffset To, string Step, string Horizon,
        double? Limit, string? Unit, string? Growth, IReadOnlyList<SeriesForecast> Series);

    private static readonly TimeSpan MaxHorizon = TimeSpan.FromDays(5 * 365);

    public static async Task<Results<Ok<ForecastView>, ValidationProblem, ProblemHttpResult>> ForResource(
        string service, string? resource, string? horizon, CapacityCatalog catalog, EvaluateQuery evaluate, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (catalog.Find(service) is not { } model)
        {
            return Problems.NotFound($"no capacity model for service \"{service}\"");
        }
        var found = model.Resources.FirstOrDefault(r => r.Name == resource);
        if (found is null)
        {
            return Problems.Field("resource", resource is null
                ? $"is required: one of {string.Join(", ", model.Resources.Select(r => r.Name))}"
                : $"\"{resource}\" is not a resource of {service} (one of {string.Join(", ", model.Resources.Select(r => r.Name))})");
        }
        if (ParseHorizon(horizon) is not { } span)
        {
            return HorizonProblem(horizon);
        }
        try
        {
            return TypedResults.Ok(await ForResourceAsync(found, span, evaluate, clock.GetUtcNow(), cancellationToken));
        }
        catch (ApiError e)
        {
            return Problems.Field("resource", e.Message);
        }
    }

    public static async Task<Results<Ok<ForecastView>, ValidationProblem, ProblemHttpResult>> ForQuery(
        string? query, string? horizon, string? limit, string? history, string? growth, EvaluateQuery evaluate, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (CapacityRules.QueryError(query) is { } queryError)
        {
            return Problems.Field("query", queryError);
        }
        if (ParseHorizon(horizon) is not { } span)
        {
            return HorizonProblem(horizon);
        }
        double? max = null;
        if (limit is not null)
        {
            if (!double.TryParse(limit, NumberStyles.Float, CultureInfo.InvariantCulture, out var l) || !double.IsFinite(l))
            {
                return Problems.Field("limit", $"\"{limit}\" is not a number");
            }
            max = l;
        }
        var lookback = GenerateCapacityRules.DefaultHistory;
        if (history is not null && (!Duration.TryParse(history, out lookback) || lookback < TimeSpan.FromHours(1)))
        {
            return Problems.Field("history", $"\"{history}\" is not a duration of at least 1h (e.g. 30d)");
        }
        GrowthModel? model = null;
        if (growth is not null)
        {
            var (parsed, error) = GrowthModel.Parse(growth);
            if (error is not null)
            {
                return Problems.Field("growth", error);
            }
            model = parsed;
        }
        return await RunAsync(query!, span, lookback, max, null, model, evaluate, clock, cancellationToken);
    }

    private static TimeSpan? ParseHorizon(string? horizon) =>
        horizon is null ? TimeSpan.FromDays(30)
        : Duration.TryParse(horizon, out var span) && span > TimeSpan.Zero && span <= MaxHorizon ? span : null;

    private static ValidationProblem HorizonProblem(string? horizon) =>
        Problems.Field("horizon", $"\"{horizon}\" is not a duration between 1s and 5y (e.g. 7d, 30d, 90d)");

    private static async Task<Results<Ok<ForecastView>, ValidationProblem, ProblemHttpResult>> RunAsync(
        string query, TimeSpan horizon, TimeSpan history, double? limit, string? unit, GrowthModel? growth, EvaluateQuery evaluate, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await ComputeAsync(query, horizon, history, limit, unit, growth, evaluate, clock.GetUtcNow(), cancellationToken));
        }
        catch (ApiError e)
        {
            return Problems.Field("query", e.Message);
        }
        catch (BadParameterException e)
        {
            return Problems.Field("query", e.Reason);
        }
    }

    /// <summary>The history of <paramref name="query"/> over <paramref name="history"/> before now, and each series' forecast.</summary>
    /// <exception cref="ApiError">The query fails (a timeout, too many samples).</exception>
    public static async Task<ForecastView> ComputeAsync(
        string query, TimeSpan horizon, TimeSpan history, double? limit, string? unit, GrowthModel? growth, EvaluateQuery evaluate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var step = GenerateCapacityRules.TrendStep(history);
        var from = now - history;
        var matrix = await evaluate.RangeAsync(PromQLParser.Parse(query), from.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), (long)step.TotalMilliseconds, null, cancellationToken);
        var series = matrix.Series
            .Select(s => Forecast.Of(s.Labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal), s.Points, now, horizon, limit, growth))
            .ToList();
        return new ForecastView(query, from, now, Duration.Format(step), GenerateCapacityRules.PromDuration(horizon), limit, unit, growth?.Text, series);
    }

    /// <summary>A resource's forecast, as <c>GET /api/capacity/{service}/forecast</c> gives it.</summary>
    public static Task<ForecastView> ForResourceAsync(CapacityResourceDefinition resource, TimeSpan horizon, EvaluateQuery evaluate, DateTimeOffset now, CancellationToken cancellationToken) =>
        ComputeAsync(resource.Usage!, horizon, resource.History ?? GenerateCapacityRules.DefaultHistory, resource.Limit, resource.Unit,
            resource.Growth is null ? null : GrowthModel.Parse(resource.Growth).Model, evaluate, now, cancellationToken);
}
