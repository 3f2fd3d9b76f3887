namespace Vigil.Features.Incidents;

/// <summary>What kind of incident it is; only <see cref="Incident"/> may ever be shown on a status page.</summary>
public static class IncidentType
{
    public const string Incident = "incident";
    /// <summary>A security incident ("Unauthorized admin access"): handled privately, never published.</summary>
    public const string Security = "security";
    /// <summary>An exercise (a week-1 drill): never published.</summary>
    public const string Drill = "drill";

    public static IReadOnlyList<string> All { get; } = [Incident, Security, Drill];
}

/// <summary>Whether status pages show the incident.</summary>
public static class IncidentVisibility
{
    public const string Private = "private";
    public const string Public = "public";

    public static IReadOnlyList<string> All { get; } = [Private, Public];

    /// <summary>
    /// Why an incident of <paramref name="type"/> may not have <paramref name="visibility"/> with
    /// <paramref name="publicTitle"/>, as (field, reason); null when it may. A public incident
    /// needs a public title, and security incidents and drills are never public.
    /// </summary>
    public static (string Field, string Reason)? Check(string type, string visibility, string? publicTitle)
    {
        if (!All.Contains(visibility))
        {
            return ("visibility", $"use one of {string.Join(", ", All)}");
        }
        if (!IncidentType.All.Contains(type))
        {
            return ("type", $"use one of {string.Join(", ", IncidentType.All)}");
        }
        if (publicTitle is { Length: > 300 })
        {
            return ("public_title", "at most 300 characters");
        }
        if (visibility != Public)
        {
            return null;
        }
        if (type != IncidentType.Incident)
        {
            return ("visibility", $"a {type} incident is never public");
        }
        return string.IsNullOrWhiteSpace(publicTitle) ? ("public_title", "a public title is required to publish an incident") : null;
    }
}
