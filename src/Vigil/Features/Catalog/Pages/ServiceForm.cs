using System.Globalization;
using System.Text.Json;
using Vigil.Configuration;

namespace Vigil.Features.Catalog.Pages;

/// <summary>
/// The console's service form: the fields of <see cref="ServiceDefinition"/> as text inputs, the lists one
/// entry a line. <see cref="ToDefinition"/> turns it into the body <c>POST/PUT /api/services</c> takes, so the
/// form is validated by the same use case; a line it cannot read is reported at the path the API would use.
/// </summary>
public sealed class ServiceForm
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Tier { get; set; }
    public string? Owner { get; set; }
    /// <summary>Comma-separated.</summary>
    public string? Tags { get; set; }
    public string? Repository { get; set; }
    public string? Dashboard { get; set; }
    public string? Runbook { get; set; }
    /// <summary>One a line: <c>NAME [URL] [metrics=[SCHEME://]HOST:PORT[/PATH]]</c>.</summary>
    public string? Environments { get; set; }
    /// <summary>One a line: <c>[KIND:]NAME [critical] [# description]</c>; no kind is a catalog service.</summary>
    public string? Dependencies { get; set; }
    /// <summary>One a line: <c>NAME; ROLE; EMAIL; PHONE</c>.</summary>
    public string? Contacts { get; set; }
    /// <summary>The delete form's confirmation box.</summary>
    public bool Confirm { get; set; }

    public static ServiceForm From(Service s) => new()
    {
        Name = s.Name,
        Description = s.Description,
        Tier = s.Tier?.ToString(CultureInfo.InvariantCulture),
        Owner = s.Owner,
        Tags = string.Join(", ", s.Tags),
        Repository = s.RepositoryUrl,
        Dashboard = s.DashboardUrl,
        Runbook = s.RunbookUrl,
        Environments = string.Join("\n", s.Environments.OrderBy(e => e.Position).Select(e => string.Join(' ', new[]
        {
            e.Name, e.Url, e.MetricsTarget is null ? null : $"metrics={(e.MetricsScheme is null ? "" : e.MetricsScheme + "://")}{e.MetricsTarget}{e.MetricsPath}",
        }.Where(p => p is not null)))),
        Dependencies = string.Join("\n", s.Dependencies.OrderBy(d => d.Position).Select(d =>
            (d.Kind == DependencyKind.Service ? d.Target : $"{KindName(d.Kind)}:{d.Target}") + (d.Critical ? " critical" : "") + (d.Description is null ? "" : $" # {d.Description}"))),
        Contacts = string.Join("\n", s.Contacts.OrderBy(c => c.Position).Select(c => string.Join("; ", c.Name, c.Role, c.Email, c.Phone).TrimEnd(' ', ';'))),
    };

    /// <summary>The API body this form stands for, and the lines it could not read (as the API names their fields).</summary>
    /// <param name="existing">The service being edited: an environment's scrape interval, which the form does not show, is kept.</param>
    public (ServiceDefinition Definition, List<FieldError> Errors) ToDefinition(Service? existing = null)
    {
        var errors = new List<FieldError>();
        int? tier = null;
        if (!string.IsNullOrWhiteSpace(Tier))
        {
            if (int.TryParse(Tier, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t))
            {
                tier = t;
            }
            else
            {
                errors.Add(new("tier", $"\"{Tier}\" is not a number"));
            }
        }
        var definition = new ServiceDefinition
        {
            Name = Trimmed(Name),
            Description = Trimmed(Description),
            Tier = tier,
            Owner = Trimmed(Owner),
            Tags = [.. (Tags ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            Links = new ServiceLinks { Repository = Trimmed(Repository), Dashboard = Trimmed(Dashboard), Runbook = Trimmed(Runbook) },
            Environments = [.. Lines(Environments).Select(line => Environment(line, existing))],
            Dependencies = [.. Lines(Dependencies).Select((line, i) => Dependency(line, i, errors))],
            Contacts = [.. Lines(Contacts).Select(Contact)],
        };
        return (definition, errors);
    }

    private static EnvironmentDefinition Environment(string line, Service? existing)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new EnvironmentDefinition { Name = parts[0] };
        foreach (var part in parts.Skip(1))
        {
            if (part.StartsWith("metrics=", StringComparison.Ordinal))
            {
                var target = part["metrics=".Length..];
                string? scheme = null;
                if (target.IndexOf("://", StringComparison.Ordinal) is var s and > 0)
                {
                    (scheme, target) = (target[..s], target[(s + 3)..]);
                }
                string? path = null;
                if (target.IndexOf('/', StringComparison.Ordinal) is var p and >= 0)
                {
                    (target, path) = (target[..p], target[p..]);
                }
                var interval = existing?.Environments.FirstOrDefault(e => e.Name == result.Name)?.MetricsInterval;
                result.Metrics = new MetricsEndpointDefinition { Target = target, Path = path, Scheme = scheme, Interval = interval };
            }
            else
            {
                result.Url = part;
            }
        }
        return result;
    }

    private static DependencyDefinition Dependency(string line, int index, List<FieldError> errors)
    {
        string? description = null;
        if (line.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0)
        {
            (line, description) = (line[..hash].Trim(), Trimmed(line[(hash + 1)..]));
        }
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var critical = parts.Skip(1).Any(p => p.Equals("critical", StringComparison.OrdinalIgnoreCase));
        var name = parts.Length > 0 ? parts[0] : "";
        if (name.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
        {
            var kindText = name[..colon];
            DependencyKind? kind = Enum.GetValues<DependencyKind>().Where(k => k != DependencyKind.Service && KindName(k) == kindText).Select(k => (DependencyKind?)k).FirstOrDefault();
            if (kind is null)
            {
                errors.Add(new($"dependencies[{index}].kind", $"\"{kindText}\" is not a kind: database, cache, third_party_api, queue, storage or other"));
            }
            return new DependencyDefinition { External = name[(colon + 1)..], Kind = kind, Critical = critical, Description = description };
        }
        return new DependencyDefinition { Service = name, Critical = critical, Description = description };
    }

    private static ContactDefinition Contact(string line)
    {
        var parts = line.Split(';', StringSplitOptions.TrimEntries);
        string? At(int i) => i < parts.Length ? Trimmed(parts[i]) : null;
        return new ContactDefinition { Name = At(0), Role = At(1), Email = At(2), Phone = At(3) };
    }

    private static string KindName(DependencyKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
