using Vigil.Configuration;

namespace Vigil.Features.StatusPage;

/// <summary>
/// One entry of <c>status_pages:</c> (and the body of <c>POST /api/status-pages</c>): a public page
/// at <c>/status/{name}</c>, and at <c>/</c> of <see cref="Host"/> when a request comes for that host name.
/// </summary>
public sealed class StatusPageDefinition
{
    /// <summary>The page's slug in <c>/status/{name}</c>.</summary>
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary>The heading, e.g. <c>Acme Status</c>; default the name.</summary>
    public string? Title { get; set; }
    /// <summary>An image URL shown above the title (https or a path on the same host).</summary>
    public string? Logo { get; set; }
    /// <summary>A custom domain (<c>status.example.com</c>): requests for this host name get the page at <c>/</c>.</summary>
    public string? Host { get; set; }
    /// <summary>Show each component's SLO attainment and remaining error budget next to its uptime.</summary>
    public bool? ShowSlo { get; set; }
    /// <summary>The page's time zone in the JSON <c>page.time_zone</c> (an IANA name); default Etc/UTC.</summary>
    public string? TimeZone { get; set; }
    /// <summary>How long a resolved incident stays on the front page (default 24h, as Statuspage keeps it); 0s drops it at once. The history lists it for 90 days.</summary>
    public TimeSpan? ShowResolvedFor { get; set; }
    public List<StatusComponentDefinition> Components { get; set; } = [];
}

/// <summary>A line on the page: what the public calls the thing, and which services and monitors it stands for.</summary>
public sealed class StatusComponentDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary>A heading the component is listed under; components with the same group are shown together.</summary>
    public string? Group { get; set; }
    public string? Description { get; set; }
    /// <summary>Catalog services: their rolled-up status, their monitors' uptime, their incidents and maintenance.</summary>
    public List<string> Services { get; set; } = [];
    /// <summary>Monitors by name: their state and uptime.</summary>
    public List<string> Monitors { get; set; } = [];
}
