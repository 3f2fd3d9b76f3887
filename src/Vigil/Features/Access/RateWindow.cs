namespace Vigil.Features.Access;

/// <summary>
/// A fixed one-minute window of requests for one client and one class of endpoint. The decision is
/// a pure function of the window and the time, so a test drives it with a fake clock.
/// </summary>
public readonly record struct RateWindow(DateTimeOffset Start, int Count)
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    public readonly record struct Decision(RateWindow Next, bool Allowed, TimeSpan RetryAfter);

    /// <summary>Counts one request at <paramref name="now"/>: allowed while the window holds fewer than <paramref name="limit"/>.</summary>
    public static Decision Take(RateWindow? current, DateTimeOffset now, int limit)
    {
        var window = current is { } w && now < w.Start + Length && now >= w.Start ? w : new RateWindow(now, 0);
        if (window.Count >= limit)
        {
            return new Decision(window, false, window.Start + Length - now);
        }
        return new Decision(window with { Count = window.Count + 1 }, true, TimeSpan.Zero);
    }
}

public enum RateClass
{
    None,
    Api,
    Auth,
    Health,
    Metrics,
}

/// <summary>The windows of every client, in memory (per replica): a restart forgives everyone.</summary>
public sealed class RateLimiter(TimeProvider clock)
{
    private readonly Dictionary<(RateClass, string), RateWindow> windows = [];
    private readonly Lock gate = new();

    /// <summary>Which limit a request counts against, from its path.</summary>
    /// <param name="method">Only sign-in attempts count toward the sign-in limit: showing the form (GET) does not.</param>
    /// <param name="byToken">An API token pays the API limit on console pages too, or pages would be a way around it.</param>
    public static RateClass Classify(PathString path, bool isPage, string method = "POST", bool byToken = false)
    {
        if (path.StartsWithSegments("/signin") || path.StartsWithSegments("/signout"))
        {
            return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? RateClass.None : RateClass.Auth;
        }
        // Heartbeat pings come from cron jobs and batch runs, often many behind one address: the
        // liveness limit, not the API's.
        if (path.StartsWithSegments("/health") || path.StartsWithSegments("/ping"))
        {
            return RateClass.Health;
        }
        // Remote-write senders and Grafana-style dashboards call the Prometheus API many times a
        // minute by design (a sender per shard; a query per panel per refresh).
        // Alert senders (Prometheus, vmalert, PagerDuty-style and webhook integrations) are data
        // plane too: a Prometheus sends every alert every minute, in batches per evaluation.
        if (path.StartsWithSegments("/prometheus") || path.StartsWithSegments("/api/v2/alerts") || path.StartsWithSegments("/api/integrations"))
        {
            return RateClass.Metrics;
        }
        // The public status page is served from cached bytes (no query, no rendering per hit) and is
        // read hardest exactly when something is down, by many visitors behind one NAT or proxy:
        // a per-client limit would hide the page from the people it is for.
        if (path.StartsWithSegments("/status"))
        {
            return RateClass.None;
        }
        return isPage && !byToken ? RateClass.None : RateClass.Api;
    }

    public RateWindow.Decision Take(RateClass rateClass, string client, int limit)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (windows.Count > 100_000)
            {
                foreach (var stale in windows.Where(w => w.Value.Start + RateWindow.Length <= now).Select(w => w.Key).ToList())
                {
                    windows.Remove(stale);
                }
            }
            var key = (rateClass, client);
            var decision = RateWindow.Take(windows.TryGetValue(key, out var w) ? w : null, now, limit);
            windows[key] = decision.Next;
            return decision;
        }
    }
}
