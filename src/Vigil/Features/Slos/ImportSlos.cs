using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Hosting;
using Vigil.Metrics.PromQL;
using YamlDotNet.RepresentationModel;

namespace Vigil.Features.Slos;

/// <summary>
/// <c>POST /api/slos/import</c> with a YAML body: SLOs of ratio kind from a Sloth spec
/// (<c>version: prometheus/v1</c>, sloth.dev "SLO spec": <c>slos[].sli.events.error_query/total_query</c>
/// with <c>{{.window}}</c>, objective in percent, 30-day window) or OpenSLO v1 documents
/// (<c>apiVersion: openslo/v1</c>, <c>kind: SLO</c>, an inline <c>indicator.spec.ratioMetric</c> with
/// <c>good</c> or <c>bad</c> and <c>total</c>, one objective, budgeting method <c>Occurrences</c>).
/// What Vigil cannot measure this way (Sloth's raw and plugin SLIs, OpenSLO threshold metrics,
/// time slices, SLI references) is refused with 422 naming the key. All or nothing, one audit entry.
/// </summary>
public static class ImportSlos
{
    public sealed record Imported(IReadOnlyList<string> Created);

    public static async Task<Results<Ok<Imported>, ValidationProblem, ProblemHttpResult>> Handle(
        HttpRequest request, VigilDbContext db, AuditLog audit, SloCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        YamlStream stream;
        try
        {
            stream = YamlText.Load(text);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            return Problems.Field("body", $"not YAML: {e.Message}");
        }
        var definitions = new List<SloDefinition>();
        var errors = new List<FieldError>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var prefix = stream.Documents.Count > 1 ? $"documents[{i}]." : "";
            if (stream.Documents[i].RootNode is not YamlMappingNode root)
            {
                errors.Add(new($"{prefix.TrimEnd('.')}", "expected a Sloth or OpenSLO document"));
                continue;
            }
            if (Str(root, "version") == "prometheus/v1")
            {
                Sloth(root, prefix, definitions, errors);
            }
            else if (Str(root, "apiVersion") == "openslo/v1" && Str(root, "kind") == "SLO")
            {
                OpenSlo(root, prefix, definitions, errors);
            }
            else
            {
                errors.Add(new($"{prefix}version", "not a Sloth spec (version: prometheus/v1) or an OpenSLO v1 SLO (apiVersion: openslo/v1, kind: SLO)"));
            }
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (definitions.Count == 0)
        {
            return Problems.Field("body", "no SLOs in the document");
        }
        for (var i = 0; i < definitions.Count; i++)
        {
            if (await SaveSlo.ValidateAsync(definitions[i], db, cancellationToken, $"slos[{i}].") is { } invalid)
            {
                return invalid;
            }
        }
        var names = definitions.Select(d => d.Name!).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count || await db.Set<StoredSlo>().AnyAsync(s => names.Contains(s.Name), cancellationToken))
        {
            return Problems.Conflict($"an SLO named {string.Join(" or ", names.Select(n => $"\"{n}\""))} already exists");
        }
        var now = clock.GetUtcNow();
        foreach (var definition in definitions)
        {
            var slo = new StoredSlo { Name = definition.Name!, Service = definition.Service!, Origin = ObjectOrigin.Api, CreatedAt = now, UpdatedAt = now };
            slo.Apply(definition);
            db.Add(slo);
        }
        audit.Record("import", "slo", string.Join(",", names), new { names });
        await db.SaveChangesAsync(cancellationToken);
        await catalog.RefreshAsync(cancellationToken);
        return TypedResults.Ok(new Imported(names));
    }

    private static void Sloth(YamlMappingNode root, string prefix, List<SloDefinition> definitions, List<FieldError> errors)
    {
        var service = Str(root, "service");
        var slos = Get(root, "slos") as YamlSequenceNode;
        for (var i = 0; i < (slos?.Children.Count ?? 0); i++)
        {
            var at = $"{prefix}slos[{i}].";
            if (slos!.Children[i] is not YamlMappingNode slo)
            {
                continue;
            }
            var sli = Get(slo, "sli") as YamlMappingNode;
            foreach (var unsupported in new[] { "raw", "plugin" }.Where(k => sli is not null && Get(sli, k) is not null))
            {
                errors.Add(new($"{at}sli.{unsupported}", $"Sloth's {unsupported} SLIs are not supported; give sli.events with error_query and total_query"));
            }
            var events = sli is null ? null : Get(sli, "events") as YamlMappingNode;
            if (events is null)
            {
                if (sli is null || (Get(sli, "raw") is null && Get(sli, "plugin") is null))
                {
                    errors.Add(new($"{at}sli.events", "is required (error_query and total_query)"));
                }
                continue;
            }
            // Sloth's SLO id is "<service>-<name>" (its sloth_id label).
            definitions.Add(new SloDefinition
            {
                Name = $"{service}-{Str(slo, "name")}",
                Service = service,
                Description = Str(slo, "description"),
                Target = Str(slo, "objective"),
                Window = "30d",
                Ratio = new RatioSli { Bad = Str(events, "error_query"), Total = Str(events, "total_query") },
            });
        }
    }

    private static void OpenSlo(YamlMappingNode root, string prefix, List<SloDefinition> definitions, List<FieldError> errors)
    {
        var count = errors.Count;
        var spec = Get(root, "spec") as YamlMappingNode ?? new YamlMappingNode();
        if (Get(spec, "indicatorRef") is not null)
        {
            errors.Add(new($"{prefix}spec.indicatorRef", "SLI references are not supported; give the indicator inline"));
        }
        var indicator = (Get(spec, "indicator") as YamlMappingNode) is { } ind ? Get(ind, "spec") as YamlMappingNode : null;
        if (indicator is not null && Get(indicator, "thresholdMetric") is not null)
        {
            errors.Add(new($"{prefix}spec.indicator.spec.thresholdMetric", "threshold metrics are not supported; only ratioMetric"));
        }
        var ratio = indicator is null ? null : Get(indicator, "ratioMetric") as YamlMappingNode;
        if (ratio is null && Get(spec, "indicatorRef") is null && (indicator is null || Get(indicator, "thresholdMetric") is null))
        {
            errors.Add(new($"{prefix}spec.indicator.spec.ratioMetric", "is required"));
        }
        if (Str(spec, "budgetingMethod") is { } method && method != "Occurrences")
        {
            errors.Add(new($"{prefix}spec.budgetingMethod", $"{method} is not supported; only Occurrences"));
        }
        var objectives = Get(spec, "objectives") as YamlSequenceNode;
        if (objectives is not { Children.Count: 1 } || objectives.Children[0] is not YamlMappingNode objective)
        {
            errors.Add(new($"{prefix}spec.objectives", "exactly one objective is supported"));
            return;
        }
        var target = Str(objective, "target") ?? (Str(objective, "targetPercent") is { } percent ? percent + "%" : null);
        var window = Window(spec, prefix, errors);
        if (ratio is null || errors.Count > count)
        {
            return;
        }
        var metadata = Get(root, "metadata") as YamlMappingNode ?? new YamlMappingNode();
        definitions.Add(new SloDefinition
        {
            Name = Str(metadata, "name"),
            Service = Str(spec, "service"),
            Description = Str(spec, "description"),
            Target = target,
            Window = window,
            Ratio = new RatioSli
            {
                Good = Query(ratio, "good", $"{prefix}spec.indicator.spec.ratioMetric.", errors),
                Bad = Query(ratio, "bad", $"{prefix}spec.indicator.spec.ratioMetric.", errors),
                Total = Query(ratio, "total", $"{prefix}spec.indicator.spec.ratioMetric.", errors),
            },
        });
    }

    /// <summary>OpenSLO's <c>timeWindow</c>: a rolling 28d or 30d, or a calendar month (<c>1M</c> with <c>isRolling: false</c>).</summary>
    private static string? Window(YamlMappingNode spec, string prefix, List<FieldError> errors)
    {
        if ((Get(spec, "timeWindow") as YamlSequenceNode)?.Children.FirstOrDefault() is not YamlMappingNode window)
        {
            return "30d";
        }
        var duration = Str(window, "duration");
        var rolling = Str(window, "isRolling") is not ("false" or "False");
        if (rolling && duration is "28d" or "30d")
        {
            return duration;
        }
        if (!rolling && duration == "1M")
        {
            return "calendar_month";
        }
        errors.Add(new($"{prefix}spec.timeWindow[0].duration", $"{duration} ({(rolling ? "rolling" : "calendar")}) is not supported; use a rolling 28d or 30d, or a calendar 1M"));
        return null;
    }

    /// <summary>
    /// An OpenSLO metric source's query: kept as it is when it has Sloth's <c>{{.window}}</c>; a
    /// plain counter selector becomes <c>sum(rate(selector[{{.window}}]))</c>.
    /// </summary>
    private static string? Query(YamlMappingNode ratio, string key, string prefix, List<FieldError> errors)
    {
        if (Get(ratio, key) is not YamlMappingNode node)
        {
            return null;
        }
        var source = Get(node, "metricSource") as YamlMappingNode;
        var query = source is not null && Get(source, "spec") is YamlMappingNode spec ? Str(spec, "query") : null;
        if (query is null)
        {
            errors.Add(new($"{prefix}{key}.metricSource.spec.query", "is required"));
            return null;
        }
        if (query.Contains(Slo.WindowPlaceholder, StringComparison.Ordinal))
        {
            return query;
        }
        try
        {
            if (PromQLParser.Parse(query) is VectorSelector)
            {
                return $"sum(rate({query}[{Slo.WindowPlaceholder}]))";
            }
        }
        catch (PromQLParseException e)
        {
            errors.Add(new($"{prefix}{key}.metricSource.spec.query", $"not a PromQL query: {e.Message}"));
            return null;
        }
        errors.Add(new($"{prefix}{key}.metricSource.spec.query", "give a counter selector such as http_requests_total{code!~\"5..\"}, or a query with [{{.window}}] in its range"));
        return null;
    }

    private static YamlNode? Get(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Str(YamlMappingNode node, string key) =>
        Get(node, key) is YamlScalarNode { Value: { } value } ? value.Trim() : null;
}
