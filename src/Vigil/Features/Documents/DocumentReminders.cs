namespace Vigil.Features.Documents;

/// <summary>Which reminder a document is at: <c>DocumentExpiring</c> at a threshold, or <c>DocumentExpired</c>.</summary>
public sealed record DocumentReminder(string Alert, string? Threshold, string Severity, string Detail);

/// <summary>The decision behind the document reminders, as a function of the document and <c>now</c>.</summary>
public static class DocumentReminders
{
    /// <summary>
    /// The reminder due now: none while more than the longest reminder remains; inside a reminder,
    /// the shortest one reached (so 20 days before with [90d, 30d, 7d] is the 30d reminder); after
    /// expiry, <c>DocumentExpired</c>. Severity rises as expiry nears: the shortest reminder and
    /// expiry are <c>critical</c>, the next shortest <c>warning</c>, longer ones <c>info</c>.
    /// </summary>
    public static DocumentReminder? Due(ExpiringDoc doc, DateTimeOffset now)
    {
        var left = doc.ExpiresAt - now;
        var what = $"{KindName(doc.Kind)} \"{doc.Name}\"{(doc.Owner is { } owner ? $" (owner {owner})" : "")}";
        if (left <= TimeSpan.Zero)
        {
            return new DocumentReminder("DocumentExpired", null, "critical", $"{what} expired on {doc.ExpiresAt:yyyy-MM-dd}");
        }
        var shortestFirst = doc.Reminders.Order().ToList();
        var reached = shortestFirst.FindIndex(r => left <= r);
        if (reached < 0)
        {
            return null;
        }
        var severity = reached == 0 ? "critical" : reached == 1 ? "warning" : "info";
        var threshold = DocumentRules.FormatReminder(shortestFirst[reached]);
        return new DocumentReminder("DocumentExpiring", threshold, severity, $"{what} expires on {doc.ExpiresAt:yyyy-MM-dd}, in {Days(left)} (reminder {threshold})");
    }

    private static string Days(TimeSpan left) => left >= TimeSpan.FromDays(1) ? $"{(int)left.TotalDays} days" : Configuration.Duration.Format(TimeSpan.FromMinutes(Math.Ceiling(left.TotalMinutes)));

    private static string KindName(string kind) => kind switch
    {
        "certificate" => "certificate",
        "contract" => "contract",
        "domain" => "domain",
        _ => "document",
    };
}
