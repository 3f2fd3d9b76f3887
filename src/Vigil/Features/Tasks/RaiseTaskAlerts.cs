using Vigil.Data;
using Vigil.Features.Alerting;
using Vigil.Features.OnCall;

namespace Vigil.Features.Tasks;

/// <summary>
/// Every 30 s, under the <c>tasks/overdue</c> lease (one replica at a time), hands each overdue task's
/// <c>TaskOverdue</c> alert to routing, with an end four passes ahead (sent again while overdue, as
/// monitor alerts are), and resolves the alert of a task that is no longer overdue (done).
/// </summary>
public sealed class RaiseTaskAlerts(IServiceScopeFactory scopes, IServiceProvider services, TimeProvider clock, ILogger<RaiseTaskAlerts> logger) : BackgroundService
{
    public const string Lease = "tasks/overdue";
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, TaskStatusRow> firing = new(StringComparer.Ordinal);

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<TaskStatusRow> tasks;
        await using (var scope = scopes.CreateAsyncScope())
        {
            tasks = await TaskBoard.LoadAsync(
                scope.ServiceProvider.GetRequiredService<VigilDbContext>(), scope.ServiceProvider.GetRequiredService<ImportedCalendars>(), now, cancellationToken);
        }
        var alerts = new List<IncomingAlert>();
        lock (firing)
        {
            var overdue = tasks.Where(t => t.Due.State == TaskState.Overdue).ToDictionary(t => t.Row.Name, StringComparer.Ordinal);
            foreach (var (name, was) in firing.Where(f => !overdue.ContainsKey(f.Key)).ToList())
            {
                alerts.Add(TaskBoard.AlertOf(was, now));
                firing.Remove(name);
            }
            foreach (var (name, task) in overdue)
            {
                alerts.Add(TaskBoard.AlertOf(task, now + (4 * Tick)));
                firing[name] = task;
            }
        }
        if (alerts.Count > 0)
        {
            await services.GetRequiredService<IAlertIngest>().PutAsync(alerts, cancellationToken);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        services.GetRequiredService<Cluster.ClusterMembership>().RunEveryAsync(
            Lease, Tick, RunOnceAsync, clock, logger, "Could not raise overdue task alerts; trying again at the next pass", stoppingToken);
}
