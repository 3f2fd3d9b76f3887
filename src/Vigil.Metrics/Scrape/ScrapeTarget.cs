using System.Globalization;
using System.Text;

namespace Vigil.Metrics.Scrape;

/// <summary>One endpoint to scrape, with the labels every sample from it gets.</summary>
/// <param name="Labels">The target labels (<c>job</c>, <c>instance</c> and static or relabelled ones); no <c>__</c> labels.</param>
/// <param name="Url">The URL to fetch.</param>
/// <param name="Config">The job the target belongs to.</param>
public sealed record ScrapeTarget(Labels Labels, Uri Url, ScrapeConfig Config)
{
    /// <summary>
    /// The targets of a job's static configs, with labels built as Prometheus 2.42's
    /// <c>PopulateLabels</c> does: <c>__address__</c>, <c>job</c>, <c>__scheme__</c>,
    /// <c>__metrics_path__</c>, <c>__scrape_interval__</c> and <c>__scrape_timeout__</c> go
    /// through <c>relabel_configs</c>; a target that is dropped or loses its address is left out;
    /// <c>instance</c> defaults to the address; labels starting with <c>__</c> are removed.
    /// </summary>
    public static IReadOnlyList<ScrapeTarget> FromConfig(ScrapeConfig config)
    {
        var targets = new List<ScrapeTarget>();
        foreach (var group in config.StaticConfigs)
        {
            foreach (var address in group.Targets)
            {
                var labels = group.Labels.With("__address__", address);
                foreach (var (name, value) in new[]
                {
                    ("job", config.JobName),
                    ("__scheme__", config.Scheme),
                    ("__metrics_path__", config.MetricsPath),
                    ("__scrape_interval__", GoDuration(config.Interval)),
                    ("__scrape_timeout__", GoDuration(config.Timeout)),
                })
                {
                    if (!labels.Has(name))
                    {
                        labels = labels.With(name, value);
                    }
                }
                if (Relabeling.Process(labels, config.RelabelConfigs) is not { } relabelled || !relabelled.Has("__address__"))
                {
                    continue;
                }
                var addr = relabelled.Get("__address__");
                var url = new Uri($"{relabelled.Get("__scheme__")}://{addr}{relabelled.Get("__metrics_path__")}");
                var final = relabelled.Has("instance") ? relabelled : relabelled.With("instance", addr);
                targets.Add(new ScrapeTarget(Labels.FromSorted([.. final.Where(l => !l.Name.StartsWith("__", StringComparison.Ordinal))]), url, config));
            }
        }
        return targets;
    }

    /// <summary>A stable 64-bit hash of the target (FNV-1a of labels and URL), which spreads scrapes over the interval.</summary>
    public ulong Hash()
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(Labels + "\xff" + Url))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>Formats a duration as Go does for the <c>__scrape_interval__</c> label: <c>15s</c>, <c>1m0s</c>, <c>500ms</c>.</summary>
    internal static string GoDuration(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(1))
        {
            return d.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
        }
        var sb = new StringBuilder();
        var hours = (long)d.TotalHours;
        if (hours > 0)
        {
            sb.Append(hours).Append('h');
        }
        if (hours > 0 || d.Minutes > 0)
        {
            sb.Append(d.Minutes).Append('m');
        }
        var seconds = d.TotalSeconds - (hours * 3600) - (d.Minutes * 60);
        sb.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }
}
