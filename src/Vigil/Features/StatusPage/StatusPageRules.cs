using System.Text.RegularExpressions;
using Vigil.Configuration;

namespace Vigil.Features.StatusPage;

/// <summary>The rules a status page definition follows, shared by config validation and the API.</summary>
public static partial class StatusPageRules
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();

    public static IEnumerable<FieldError> ValidateConfig(VigilConfig config)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < config.StatusPages.Count; i++)
        {
            var page = config.StatusPages[i];
            var at = $"status_pages[{i}].";
            foreach (var error in Validate(page, at))
            {
                yield return error;
            }
            if (page.Name is { } name && !names.Add(name))
            {
                yield return new FieldError($"{at}name", $"duplicate status page name \"{name}\"");
            }
            if (page.Host is { } host && !hosts.Add(host))
            {
                yield return new FieldError($"{at}host", $"host \"{host}\" is already used by another status page");
            }
            // As monitors do: a page in the file names services and monitors of the file, so a typo is caught by `vigil config check`.
            for (var c = 0; c < page.Components.Count; c++)
            {
                var component = page.Components[c];
                for (var j = 0; j < component.Services.Count; j++)
                {
                    if (component.Services[j] is { Length: > 0 } service && !config.Services.Any(s => s.Name == service))
                    {
                        yield return new FieldError($"{at}components[{c}].services[{j}]", $"unknown service \"{service}\"");
                    }
                }
                for (var j = 0; j < component.Monitors.Count; j++)
                {
                    if (component.Monitors[j] is { Length: > 0 } monitor && !config.Monitors.Any(m => m.Name == monitor))
                    {
                        yield return new FieldError($"{at}components[{c}].monitors[{j}]", $"unknown monitor \"{monitor}\"");
                    }
                }
            }
        }
    }

    /// <param name="at">Path prefix for errors, e.g. <c>status_pages[0].</c>; empty for the API.</param>
    public static IEnumerable<FieldError> Validate(StatusPageDefinition page, string at)
    {
        if (string.IsNullOrWhiteSpace(page.Name))
        {
            yield return new FieldError($"{at}name", "is required");
        }
        else if (!SlugPattern().IsMatch(page.Name))
        {
            yield return new FieldError($"{at}name", "must be 1-63 lowercase letters, digits or '-', starting with a letter or digit (it is the page's URL: /status/{name})");
        }
        if (page.Title is { Length: > 200 })
        {
            yield return new FieldError($"{at}title", "must be at most 200 characters");
        }
        if (page.Logo is { } logo && !(logo.StartsWith('/') && !logo.StartsWith("//", StringComparison.Ordinal))
            && !(Uri.TryCreate(logo, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
        {
            yield return new FieldError($"{at}logo", "must be an http(s) URL or a path starting with /");
        }
        if (page.Host is { } host && !HostPattern().IsMatch(host))
        {
            yield return new FieldError($"{at}host", "must be a lowercase host name such as status.example.com (no scheme, port or path)");
        }
        if (page.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            yield return new FieldError($"{at}time_zone", $"unknown time zone \"{zone}\" (use an IANA name such as Europe/Berlin)");
        }
        if (page.ShowResolvedFor is { } keep && keep < TimeSpan.Zero)
        {
            yield return new FieldError($"{at}show_resolved_for", "must not be negative");
        }
        if (page.Components.Count == 0)
        {
            yield return new FieldError($"{at}components", "a status page needs at least one component");
        }
        var components = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < page.Components.Count; i++)
        {
            var component = page.Components[i];
            var c = $"{at}components[{i}].";
            if (string.IsNullOrWhiteSpace(component.Name))
            {
                yield return new FieldError($"{c}name", "is required");
            }
            else if (!components.Add(component.Name))
            {
                yield return new FieldError($"{c}name", $"duplicate component name \"{component.Name}\"");
            }
            else if (ComponentId(component.Name).Length == 0)
            {
                yield return new FieldError($"{c}name", "must contain a letter or digit");
            }
            if (component.Services.Count == 0 && component.Monitors.Count == 0)
            {
                yield return new FieldError($"{c}services", "give at least one catalog service or monitor the component stands for");
            }
            for (var j = 0; j < component.Services.Count; j++)
            {
                if (string.IsNullOrWhiteSpace(component.Services[j]))
                {
                    yield return new FieldError($"{c}services[{j}]", "must be a service name");
                }
            }
            for (var j = 0; j < component.Monitors.Count; j++)
            {
                if (string.IsNullOrWhiteSpace(component.Monitors[j]))
                {
                    yield return new FieldError($"{c}monitors[{j}]", "must be a monitor name");
                }
            }
        }
    }

    /// <summary>A component's id in the JSON: its name in lowercase letters and digits joined by '-', stable while the name is.</summary>
    public static string ComponentId(string name) =>
        string.Join('-', NonWord().Split(name.ToLowerInvariant()).Where(p => p.Length > 0));

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonWord();
}
