namespace Vigil.Features.Catalog;

/// <summary>A service as the API returns it.</summary>
public sealed record ServiceView(
    string Name,
    string? Description,
    int? Tier,
    string? Owner,
    ServiceLinks Links,
    IReadOnlyList<string> Tags,
    IReadOnlyList<ContactDefinition> Contacts,
    IReadOnlyList<EnvironmentDefinition> Environments,
    IReadOnlyList<DependencyView> Dependencies,
    string Origin,
    bool ReadOnly,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ServiceView From(Service s) => new(
        s.Name,
        s.Description,
        s.Tier,
        s.Owner,
        new ServiceLinks { Repository = s.RepositoryUrl, Dashboard = s.DashboardUrl, Runbook = s.RunbookUrl },
        s.Tags,
        [.. s.Contacts.OrderBy(c => c.Position).Select(c => new ContactDefinition { Name = c.Name, Role = c.Role, Email = c.Email, Phone = c.Phone })],
        [.. s.Environments.OrderBy(e => e.Position).Select(e => new EnvironmentDefinition
        {
            Name = e.Name,
            Url = e.Url,
            Metrics = e.MetricsTarget is null ? null : new MetricsEndpointDefinition { Target = e.MetricsTarget, Path = e.MetricsPath, Scheme = e.MetricsScheme, Interval = e.MetricsInterval },
        })],
        [.. s.Dependencies.OrderBy(d => d.Position).Select(d => new DependencyView(d.Kind, d.Target, d.Critical, d.Description))],
        s.Origin == ObjectOrigin.Config ? "config" : "api",
        s.Origin == ObjectOrigin.Config,
        s.CreatedAt,
        s.UpdatedAt);
}

/// <summary>A dependency as the API returns it: <c>kind</c> is <c>service</c> for catalog services.</summary>
public sealed record DependencyView(DependencyKind Kind, string Target, bool Critical, string? Description);
