using System.Text.RegularExpressions;
using Vigil.Configuration;

namespace Vigil.Features.Catalog;

/// <summary>
/// The rules a service definition must follow, shared by config validation and the API so the
/// two can never disagree. Errors are addressed by path (<c>dependencies[0].service</c>).
/// </summary>
public static partial class ServiceRules
{
    /// <summary>The metrics targets of a service's environments, by path, for the outbound policy.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(ServiceDefinition service, string prefix)
    {
        var environments = service.Environments ?? [];
        for (var j = 0; j < environments.Count; j++)
        {
            if (environments[j].Metrics?.Target is { } target)
            {
                yield return ($"{prefix}environments[{j}].metrics.target", target, false);
            }
        }
    }

    /// <summary>Every service's metrics targets in the file.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(VigilConfig config) =>
        config.Services.SelectMany((service, i) => Destinations(service, $"services[{i}]."));

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    public static partial Regex NamePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+?[0-9 ()./-]{3,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    public const string NameRule = "must be 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <param name="definition">The definition to check.</param>
    /// <param name="prefix">Path prefix for errors, e.g. <c>services[2].</c>; empty for the API.</param>
    /// <param name="serviceExists">Whether a catalog service of that name exists (for dependencies).</param>
    public static IEnumerable<FieldError> Validate(ServiceDefinition definition, string prefix, Func<string, bool> serviceExists)
    {
        if (string.IsNullOrWhiteSpace(definition.Name))
        {
            yield return new($"{prefix}name", "is required");
        }
        else if (!NamePattern().IsMatch(definition.Name))
        {
            yield return new($"{prefix}name", NameRule);
        }
        if (definition.Tier is < 1 or > 4)
        {
            yield return new($"{prefix}tier", "must be 1 (most critical) to 4");
        }
        if (definition.Links is { } links)
        {
            foreach (var (key, url) in new[] { ("repository", links.Repository), ("dashboard", links.Dashboard), ("runbook", links.Runbook) })
            {
                if (url is not null && !IsHttpUrl(url))
                {
                    yield return new($"{prefix}links.{key}", $"\"{url}\" is not an absolute http(s) URL");
                }
            }
        }
        foreach (var error in ValidateTags(definition.Tags, prefix))
        {
            yield return error;
        }
        for (var i = 0; i < (definition.Contacts?.Count ?? 0); i++)
        {
            var c = definition.Contacts![i];
            var at = $"{prefix}contacts[{i}].";
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                yield return new($"{at}name", "is required");
            }
            if (c.Email is not null && !EmailPattern().IsMatch(c.Email))
            {
                yield return new($"{at}email", $"\"{c.Email}\" is not an email address");
            }
            if (c.Phone is not null && !PhonePattern().IsMatch(c.Phone))
            {
                yield return new($"{at}phone", $"\"{c.Phone}\" is not a phone number (digits, spaces, + ( ) - . /)");
            }
        }
        var environments = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (definition.Environments?.Count ?? 0); i++)
        {
            var e = definition.Environments![i];
            var at = $"{prefix}environments[{i}].";
            if (string.IsNullOrWhiteSpace(e.Name))
            {
                yield return new($"{at}name", "is required");
            }
            else if (!NamePattern().IsMatch(e.Name))
            {
                yield return new($"{at}name", NameRule);
            }
            else if (!environments.Add(e.Name))
            {
                yield return new($"{at}name", $"duplicate environment \"{e.Name}\"");
            }
            if (e.Url is not null && !IsHttpUrl(e.Url))
            {
                yield return new($"{at}url", $"\"{e.Url}\" is not an absolute http(s) URL");
            }
            if (e.Metrics is { } metrics)
            {
                foreach (var error in ValidateMetrics(metrics, $"{at}metrics."))
                {
                    yield return error;
                }
            }
        }
        for (var i = 0; i < (definition.Dependencies?.Count ?? 0); i++)
        {
            foreach (var error in ValidateDependency(definition.Dependencies![i], $"{prefix}dependencies[{i}].", definition.Name, serviceExists))
            {
                yield return error;
            }
        }
    }

    private static IEnumerable<FieldError> ValidateTags(List<string>? tags, string prefix)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (tags?.Count ?? 0); i++)
        {
            var tag = tags![i];
            if (string.IsNullOrWhiteSpace(tag) || tag.Length > 63)
            {
                yield return new($"{prefix}tags[{i}]", "must be 1-63 characters");
            }
            else if (!seen.Add(tag))
            {
                yield return new($"{prefix}tags[{i}]", $"duplicate tag \"{tag}\"");
            }
        }
    }

    private static IEnumerable<FieldError> ValidateDependency(DependencyDefinition d, string at, string? self, Func<string, bool> serviceExists)
    {
        var hasService = !string.IsNullOrWhiteSpace(d.Service);
        var hasExternal = !string.IsNullOrWhiteSpace(d.External);
        if (hasService == hasExternal)
        {
            yield return new(at.TrimEnd('.'), "give exactly one of \"service\" (a catalog service) or \"external\" (an external system)");
            yield break;
        }
        if (hasService)
        {
            if (d.Kind is not null and not DependencyKind.Service)
            {
                yield return new($"{at}kind", "a dependency on a catalog service has kind \"service\"; use \"external\" for other systems");
            }
            if (d.Service == self)
            {
                yield return new($"{at}service", "a service cannot depend on itself");
            }
            else if (!serviceExists(d.Service!))
            {
                yield return new($"{at}service", $"unknown service \"{d.Service}\"");
            }
        }
        else if (d.Kind is null or DependencyKind.Service)
        {
            yield return new($"{at}kind", "an external dependency needs a kind: database, cache, third_party_api, queue, storage or other");
        }
    }

    private static IEnumerable<FieldError> ValidateMetrics(MetricsEndpointDefinition m, string at)
    {
        // The same shape as a Prometheus static_configs target: host:port, no scheme or path.
        if (string.IsNullOrWhiteSpace(m.Target))
        {
            yield return new($"{at}target", "is required (host:port of the metrics endpoint)");
        }
        else if (!Uri.TryCreate("http://" + m.Target, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.PathAndQuery != "/" || m.Target.Contains('@', StringComparison.Ordinal))
        {
            yield return new($"{at}target", $"\"{m.Target}\" is not host:port");
        }
        if (m.Path is not null && (!m.Path.StartsWith('/') || m.Path.Any(char.IsWhiteSpace)))
        {
            yield return new($"{at}path", $"\"{m.Path}\" is not a path starting with /");
        }
        if (m.Scheme is not (null or "http" or "https"))
        {
            yield return new($"{at}scheme", "must be http or https");
        }
        if (m.Interval is { } interval && interval < TimeSpan.FromSeconds(1))
        {
            yield return new($"{at}interval", "must be at least 1s");
        }
    }

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>Copies a valid definition onto an entity (new or existing), replacing its lists.</summary>
    public static void Apply(ServiceDefinition d, Service target)
    {
        target.Name = d.Name!;
        target.Description = d.Description;
        target.Tier = d.Tier;
        target.Owner = d.Owner;
        target.RepositoryUrl = d.Links?.Repository;
        target.DashboardUrl = d.Links?.Dashboard;
        target.RunbookUrl = d.Links?.Runbook;
        target.Tags = [.. d.Tags ?? []];
        target.Contacts = [.. (d.Contacts ?? []).Select((c, i) => new ServiceContact { Position = i, Name = c.Name!, Role = c.Role, Email = c.Email, Phone = c.Phone })];
        target.Environments = [.. (d.Environments ?? []).Select((e, i) => new ServiceEnvironment
        {
            Position = i,
            Name = e.Name!,
            Url = e.Url,
            MetricsTarget = e.Metrics?.Target,
            MetricsPath = e.Metrics?.Path,
            MetricsScheme = e.Metrics?.Scheme,
            MetricsInterval = e.Metrics?.Interval,
        })];
        target.Dependencies = [.. (d.Dependencies ?? []).Select((x, i) => new ServiceDependency
        {
            Position = i,
            Kind = x.Service is not null ? DependencyKind.Service : x.Kind!.Value,
            Target = x.Service ?? x.External!,
            Critical = x.Critical ?? false,
            Description = x.Description,
        })];
    }
}
