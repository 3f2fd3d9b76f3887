using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Alerting.Evaluation;

/// <summary>
/// The rule evaluation loop of the server: one <see cref="RuleGroupLoop"/> per group of
/// <c>alerting.rule_files</c> and <c>alerting.rules</c>, over the server's sample store. A reload
/// replaces the groups and keeps the alerts of rules that are still there (Prometheus's
/// <c>Manager.Update</c> and <c>Group.CopyState</c>); only the groups of the first configuration
/// restore their <c>for</c> state after a restart.
/// </summary>
public sealed class EvaluateRules(
    ISampleStore store,
    PromQLEngine engine,
    IServiceProvider services,
    TimeProvider clock,
    ILogger<EvaluateRules> logger) : IConfigConsumer, IHostedService
{
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopping = new();
    private List<(RuleGroupLoop Loop, CancellationTokenSource Stop, Task? Running)> loops = [];
    private bool started;
    private bool firstLoad = true;

    /// <summary>The groups as their last evaluations left them, in configuration order.</summary>
    public IReadOnlyList<RuleGroupSnapshot> Groups
    {
        get
        {
            lock (gate)
            {
                return [.. loops.Select(l => l.Loop.Snapshot)];
            }
        }
    }

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        var settings = config.Alerting;
        // Resolved here, not in the constructor: the dispatcher reads the configuration this consumer is part of.
        var ingest = services.GetRequiredService<IAlertIngest>();
        var previous = loops.ToDictionary(l => (l.Loop.Group.File, l.Loop.Group.Name), l => l.Loop);
        var next = new List<(RuleGroupLoop, CancellationTokenSource, Task?)>();
        foreach (var group in settings.LoadedGroups)
        {
            var loop = new RuleGroupLoop(group, group.Interval ?? settings.EvaluationInterval, store, engine, ingest, clock, settings, firstLoad, RecordAsync, logger);
            if (previous.TryGetValue((group.File, group.Name), out var old))
            {
                CopyState(old, loop);
            }
            next.Add((loop, CancellationTokenSource.CreateLinkedTokenSource(stopping.Token), null));
        }
        firstLoad = false;
        List<(RuleGroupLoop Loop, CancellationTokenSource Stop, Task? Running)> retired;
        lock (gate)
        {
            retired = loops;
            loops = next;
            if (started)
            {
                StartLoops();
            }
        }
        foreach (var (_, stop, _) in retired)
        {
            stop.Cancel();
        }
        return Task.CompletedTask;
    }

    /// <summary>rules/manager.go <c>CopyState</c>: alerts of a rule with the same name and labels carry over.</summary>
    private static void CopyState(RuleGroupLoop from, RuleGroupLoop to)
    {
        foreach (var state in to.Evaluator.AlertStates)
        {
            var match = from.Evaluator.AlertStates.FirstOrDefault(s => s.Rule.Alert == state.Rule.Alert && s.Rule.Labels.SequenceEqual(state.Rule.Labels));
            if (match is not null)
            {
                state.CopyFrom(match);
            }
        }
    }

    private async Task RecordAsync(IReadOnlyList<AlertStateChange> changes, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.VigilDbContext>();
        db.AddRange(changes);
        await db.SaveChangesAsync(cancellationToken);
    }

    private void StartLoops()
    {
        for (var i = 0; i < loops.Count; i++)
        {
            var (loop, stop, running) = loops[i];
            if (running is null)
            {
                loops[i] = (loop, stop, Task.Run(() => RunAsync(loop, stop.Token)));
            }
        }
    }

    private async Task RunAsync(RuleGroupLoop loop, CancellationToken token)
    {
        try
        {
            await loop.RunAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Rule group {Group} stopped", loop.Group.Name);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            started = true;
            StartLoops();
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        Task[] running;
        lock (gate)
        {
            running = [.. loops.Select(l => l.Running).OfType<Task>()];
        }
        await Task.WhenAll(running).WaitAsync(cancellationToken);
    }
}
