using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Evaluation;
using Vigil.Metrics;
using Vigil.Metrics.Storage;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>Drives a server's rule evaluation with its fake clock: advance one interval, wait for the evaluation it triggers.</summary>
internal static class RuleEvaluationHarness
{
    public static long Evaluations(this TestServer server) =>
        server.Services.GetRequiredService<EvaluateRules>().Groups.Sum(g => g.Evaluations);

    /// <summary>Moves the clock by <paramref name="step"/> and waits (for real, up to 20 s) until every group has evaluated once more.</summary>
    public static async Task AdvanceAndEvaluateAsync(this TestServer server, TimeSpan step)
    {
        var rules = server.Services.GetRequiredService<EvaluateRules>();
        var before = rules.Groups.ToDictionary(g => g.Group.Name, g => g.Evaluations);
        server.Clock.Advance(step);
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
        while (!rules.Groups.All(g => g.Evaluations > before.GetValueOrDefault(g.Group.Name)))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"no evaluation after advancing the clock to {server.Clock.GetUtcNow():O}");
            await Task.Yield();
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }

    /// <summary>Writes one sample at the server's current time.</summary>
    public static async Task SampleAsync(this TestServer server, Labels labels, double value)
    {
        var appender = server.Services.GetRequiredService<ISampleStore>().Appender();
        appender.Append(labels, server.Clock.GetUtcNow().ToUnixTimeMilliseconds(), value);
        await appender.CommitAsync();
    }

    public static AlertSnapshot? Alert(this TestServer server, string alertname) =>
        server.Services.GetRequiredService<EvaluateRules>().Groups.SelectMany(g => g.Rules).SelectMany(r => r.Alerts)
            .SingleOrDefault(a => a.Labels.Get("alertname") == alertname);

    public static Task<List<StoredAlert>> StoredAlertsAsync(this TestServer server) =>
        server.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(db.Set<StoredAlert>())));

    /// <summary>
    /// When the alert with these labels was resolved: its stored end if it is still stored, else the
    /// "resolved" entry of its history (the dispatcher removes a resolved alert once notified); null while it fires.
    /// </summary>
    public static async Task<DateTimeOffset?> ResolvedAtAsync(this TestServer server, Vigil.Metrics.Labels labels)
    {
        var fingerprint = Vigil.Features.Notifications.AlertFingerprint.Of(labels);
        var stored = (await server.StoredAlertsAsync()).SingleOrDefault(a => a.Fingerprint == fingerprint);
        if (stored is not null)
        {
            return stored.IsResolvedAt(server.Clock.GetUtcNow()) ? stored.EndsAt : null;
        }
        var history = await server.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            System.Linq.Queryable.Where(db.Set<Vigil.Features.Alerting.Dispatch.AlertEvent>(), e => e.Fingerprint == fingerprint && e.Kind == "resolved")));
        return history.Count == 1 ? history[0].At : null;
    }
}
