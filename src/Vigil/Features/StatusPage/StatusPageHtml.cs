using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Vigil.Features.Incidents;
using Vigil.Features.Monitors.Health;
using Vigil.Features.Monitors.Uptime;

namespace Vigil.Features.StatusPage;

/// <summary>
/// The public page as HTML, built as a string once per change (no JavaScript, one request: the
/// style is inline). The console's layout is not used: a visitor is not signed in, and the page
/// must cost nothing per hit beyond copying cached bytes.
/// </summary>
public static class StatusPageHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f7f8fa;color:#222}
        main{max-width:860px;margin:0 auto;padding:24px 16px}
        header{display:flex;align-items:center;gap:12px}header img{max-height:48px}
        h1{font-size:1.6em;margin:0}h2{font-size:1.2em;margin:28px 0 8px}h3{font-size:1em;margin:0 0 4px}
        .overall{padding:14px 18px;border-radius:4px;color:#fff;font-weight:600;margin:20px 0}
        .group{background:#fff;border:1px solid #e0e3e8;border-radius:4px;margin:0 0 12px}
        .group>h3{padding:10px 14px;border-bottom:1px solid #e0e3e8}
        .component{padding:12px 14px;border-bottom:1px solid #eef0f3}.component:last-child{border-bottom:0}
        .line{display:flex;justify-content:space-between;gap:8px}.status{font-weight:600}
        .bars{display:flex;gap:1px;margin:8px 0 4px;height:28px}.bars i{flex:1;border-radius:1px;background:#b3bac5}
        .bars .up{background:#2fcc66}.bars .dg{background:#f1c40f}.bars .po{background:#e67e22}.bars .mo{background:#e74c3c}
        .legend{display:flex;justify-content:space-between;font-size:.8em;color:#777}
        .slo{font-size:.85em;color:#555;margin-top:4px}
        .incident,.maintenance{background:#fff;border:1px solid #e0e3e8;border-left-width:6px;border-radius:4px;padding:10px 14px;margin:0 0 12px}
        .update{margin:6px 0;font-size:.95em}.update b{text-transform:capitalize}.when{color:#777;font-size:.85em}
        footer{margin:32px 0;font-size:.85em;color:#777}a{color:#2c6cb0}
        """;

    public static byte[] Page(StatusSnapshot s)
    {
        var html = Begin(s, s.Title);
        var (_, description) = ComponentStatus.Overall(s.Worst);
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"overall\" data-status=\"{ComponentStatus.Word(s.Worst)}\" style=\"background:{ComponentStatus.Colour(s.Worst)}\">{E(description)}</div>\n");

        var active = s.Active.ToList();
        if (active.Count > 0)
        {
            html.Append("<h2>Active incidents</h2>\n");
            foreach (var incident in active)
            {
                Incident(html, s, incident);
            }
        }
        var resolved = s.RecentlyResolved.ToList();
        if (resolved.Count > 0)
        {
            html.Append("<h2>Recently resolved</h2>\n");
            foreach (var incident in resolved)
            {
                Incident(html, s, incident);
            }
        }
        var ongoing = s.Maintenances.Where(m => m.InProgressAt(s.At)).ToList();
        if (ongoing.Count > 0)
        {
            html.Append("<h2>Maintenance in progress</h2>\n");
            ongoing.ForEach(m => Maintenance(html, s, m));
        }

        html.Append("<h2>Components</h2>\n");
        foreach (var group in s.Components.GroupBy(c => c.Group))
        {
            html.Append("<section class=\"group\">");
            if (group.Key is { } name)
            {
                html.Append(CultureInfo.InvariantCulture, $"<h3>{E(name)}</h3>");
            }
            foreach (var c in group)
            {
                Component(html, s, c);
            }
            html.Append("</section>\n");
        }

        var scheduled = s.Maintenances.Where(m => m.When.From > s.At).ToList();
        html.Append("<h2>Scheduled maintenance</h2>\n");
        if (scheduled.Count == 0)
        {
            html.Append("<p>No maintenance is scheduled.</p>\n");
        }
        scheduled.ForEach(m => Maintenance(html, s, m));
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(s.Url)}/history\">Incident history</a></p>\n");
        return End(html, s);
    }

    public static byte[] History(StatusSnapshot s)
    {
        var html = Begin(s, $"Incident history · {s.Title}");
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(s.Url)}\">← Current status</a></p>\n<h2>Incident history (last {ReadStatusSnapshot.HistoryLength.TotalDays:0} days)</h2>\n");
        if (s.Incidents.Count == 0)
        {
            html.Append("<p>No incidents reported.</p>\n");
        }
        foreach (var day in s.Incidents.GroupBy(i => DateOnly.FromDateTime(i.OpenedAt.UtcDateTime)))
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{day.Key:MMMM d, yyyy}</h3>\n");
            foreach (var incident in day)
            {
                Incident(html, s, incident);
            }
        }
        return End(html, s);
    }

    private static StringBuilder Begin(StatusSnapshot s, string title)
    {
        var html = new StringBuilder(16_384);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>{E(title)}</title>
            <link rel="alternate" type="application/atom+xml" title="{E(s.Title)} incidents" href="{E(s.Url)}/history.atom">
            <style>{Style}</style></head>
            <body><main>
            <header>{(s.Page.Logo is { } logo ? $"<img src=\"{E(logo)}\" alt=\"\">" : "")}<h1>{E(s.Title)}</h1></header>

            """);
        return html;
    }

    private static byte[] End(StringBuilder html, StatusSnapshot s)
    {
        html.Append(CultureInfo.InvariantCulture, $"""
            <footer>Updated {s.At:yyyy-MM-dd HH:mm} UTC · <a href="{E(s.Url)}/api/v2/summary.json">JSON</a> · <a href="{E(s.Url)}/history.atom">Atom feed</a></footer>
            </main></body></html>

            """);
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    private static void Component(StringBuilder html, StatusSnapshot s, ComponentSnapshot c)
    {
        var word = ComponentStatus.Word(c.Status);
        html.Append(CultureInfo.InvariantCulture, $"""
            <div class="component" id="component-{c.Id}" data-status="{word}"><div class="line"><span class="name">{E(c.Name)}</span><span class="status" style="color:{ComponentStatus.Colour(c.Status)}">{E(ServiceHealth.Words(c.Status))}</span></div>
            """);
        if (c.Description is { } description)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"when\">{E(description)}</div>");
        }
        if (c.Days.Count > 0)
        {
            html.Append("<div class=\"bars\">");
            foreach (var day in c.Days)
            {
                html.Append(CultureInfo.InvariantCulture, $"<i class=\"{BarClass(day.Percent)}\" title=\"{day.Day:yyyy-MM-dd}: {(day.Percent is { } p ? p.ToString("0.##", CultureInfo.InvariantCulture) + "%" : "no data")}\"></i>");
            }
            html.Append(CultureInfo.InvariantCulture, $"</div><div class=\"legend\"><span>{c.Days.Count} days ago</span><span class=\"uptime\">{(c.Uptime is { } u ? u.ToString("0.00", CultureInfo.InvariantCulture) + " % uptime" : "no data")}</span><span>Today</span></div>");
        }
        if (s.Page.ShowSlo == true)
        {
            foreach (var slo in c.Slos)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"slo\">SLO {E(slo.Name)}: target {slo.Target * 100:0.###} %, {(slo.Attainment is { } a ? $"{a * 100:0.###} % over {E(slo.Window)}" : "no data yet")}{(slo.BudgetRemaining is { } b ? $", error budget left {b * 100:0.#} %" : "")}</div>");
            }
        }
        html.Append("</div>\n");
    }

    private static void Incident(StringBuilder html, StatusSnapshot s, IncidentView i)
    {
        var impact = ComponentStatus.IncidentImpact(i, s.Components.SelectMany(c => c.Services).ToHashSet(StringComparer.Ordinal));
        var colour = impact switch
        {
            "critical" => ComponentStatus.Colour(ServiceStatus.MajorOutage),
            "major" => ComponentStatus.Colour(ServiceStatus.PartialOutage),
            "minor" => ComponentStatus.Colour(ServiceStatus.Degraded),
            _ => "#888",
        };
        html.Append(CultureInfo.InvariantCulture, $"<article class=\"incident\" id=\"incident-{E(i.Id)}\" data-impact=\"{impact}\" style=\"border-left-color:{colour}\"><h3>{E(i.Title)}</h3>");
        foreach (var u in i.Updates.OrderByDescending(u => u.At))
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"update\"><b>{E(ComponentStatus.IncidentStatus(u.Status))}</b> – {E(u.Body)} <span class=\"when\">{u.At:yyyy-MM-dd HH:mm} UTC</span></div>");
        }
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"when\">{(i.ResolvedAt is { } r ? $"Resolved {r:yyyy-MM-dd HH:mm} UTC" : $"Started {i.OpenedAt:yyyy-MM-dd HH:mm} UTC")}</div></article>\n");
    }

    private static void Maintenance(StringBuilder html, StatusSnapshot s, MaintenanceSnapshot m)
    {
        var names = s.Components.Where(c => m.ComponentIds.Contains(c.Id)).Select(c => c.Name);
        html.Append(CultureInfo.InvariantCulture, $"""
            <article class="maintenance" id="maintenance-{E(m.Id)}" style="border-left-color:{ComponentStatus.Colour(ServiceStatus.UnderMaintenance)}"><h3>{E(m.Name)}</h3>{(m.Comment is { } comment ? $"<div class=\"update\">{E(comment)}</div>" : "")}<div class="when">{m.When.From:yyyy-MM-dd HH:mm} – {m.When.To:yyyy-MM-dd HH:mm} UTC · {E(string.Join(", ", names))}</div></article>

            """);
    }

    /// <summary>
    /// A day's bar (a class, so 90 bars per component stay small): grey without data, green from
    /// 99.9 %, yellow from 99 %, orange from 95 %, red below; the colours are those of <see cref="ComponentStatus.Colour"/>.
    /// </summary>
    public static string BarClass(double? percent) => percent switch
    {
        null => "nd",
        >= 99.9 => "up",
        >= 99 => "dg",
        >= 95 => "po",
        _ => "mo",
    };

    private static string E(string text) => Encoder.Encode(text);
}
