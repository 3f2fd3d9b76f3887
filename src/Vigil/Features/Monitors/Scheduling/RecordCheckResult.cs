namespace Vigil.Features.Monitors.Scheduling;

/// <summary>
/// What happens with every result: it joins the monitor's recent results, becomes samples, and
/// when it changes the monitor's state (after retries) a row in the database and an event.
/// </summary>
public sealed class RecordCheckResult(MonitorStates states, StateChangeWriter writer, SampleWriter samples, MonitorEvents events, Hosting.StatusChanges statusChanges, TimeProvider clock)
{
    // Vigil's own view of its checking, on /metrics: how many checks ran and how late they started.
    private static readonly Prometheus.Counter Checks = Prometheus.Metrics.CreateCounter(
        "vigil_monitor_checks_total", "Checks run, by result.", new Prometheus.CounterConfiguration { LabelNames = ["result"] });
    private static readonly Prometheus.Histogram Lateness = Prometheus.Metrics.CreateHistogram(
        "vigil_monitor_check_lateness_seconds", "How long after its scheduled time a check started.",
        new Prometheus.HistogramConfiguration { Buckets = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10] });
    // The counter's child per status, found on the first check with that status (a series shows
    // once it has a check, as before) instead of a label lookup and a lower-cased name per check.
    private static readonly Prometheus.Counter.Child?[] ChecksByStatus = new Prometheus.Counter.Child?[Enum.GetValues<MonitorStatus>().Length];

    private static Prometheus.Counter.Child ChecksWith(MonitorStatus status) =>
        ChecksByStatus[(int)status] ??= Checks.WithLabels(status.ToString().ToLowerInvariant());

    /// <param name="waitForSave">Return only once a state change is in the database (API calls); the scheduler does not wait.</param>
    public async Task<MonitorState> RecordAsync(MonitorDefinition m, CheckResult result, TimeSpan lateness, bool waitForSave)
    {
        var now = clock.GetUtcNow();
        ChecksWith(result.Status).Inc();
        Lateness.Observe(Math.Max(0, lateness.TotalSeconds));
        var state = states.Get(m.Name!);
        samples.Add(m, result, now);
        // Someone asked for this check (API, ping) and may look for its samples at once: it answers once they are committed.
        var flushed = waitForSave ? samples.FlushAsync() : Task.CompletedTask;
        try
        {
            state.Add(new RecentResult(now, result.Status, result.Reason, result.Duration.TotalSeconds, lateness.TotalSeconds));
            Task saved;
            await state.Gate.WaitAsync();
            try
            {
                if (result.Observation != 0)
                {
                    if (result.Observation < state.Observation)
                    {
                        // Judged on pings read before those of the result that set the state: already out of date.
                        return state;
                    }
                    state.Observation = result.Observation;
                }
                if (state.Status == MonitorStatus.Paused && !waitForSave)
                {
                    // A scheduled check that was under way when the monitor was paused: its result is
                    // history (samples, recent results), not a new state; the monitor stays paused.
                    return state;
                }
                var next = MonitorTransition.Next(state.Status, state.Failures, result.Status, m.Retries ?? 0);
                state.Failures = next.Failures;
                // The components of the last check only: an answer without them (not JSON, refused) leaves none standing.
                state.Components = result.Components;
                if (!next.Changed)
                {
                    // Same state, new words: a degraded monitor whose cause moved from one component to
                    // another says so now, and the reason of a state is never older than its last check.
                    if (result.Status == state.Status && result.Reason.Length > 0)
                    {
                        state.Reason = result.Reason;
                    }
                    return state;
                }
                saved = SetAsync(m, state, next.Status, result.Reason, now);
            }
            finally
            {
                state.Gate.Release();
            }
            if (waitForSave)
            {
                await saved;
            }
            return state;
        }
        finally
        {
            await flushed;
        }
    }

    /// <summary>Sets a state outright (pause, resume); the caller holds no lock.</summary>
    public async Task SetStatusAsync(MonitorDefinition m, MonitorStatus status, string reason)
    {
        var state = states.Get(m.Name!);
        Task saved;
        await state.Gate.WaitAsync();
        try
        {
            if (state.Status == status)
            {
                return;
            }
            state.Failures = 0;
            saved = SetAsync(m, state, status, reason, clock.GetUtcNow());
        }
        finally
        {
            state.Gate.Release();
        }
        await saved;
    }

    private Task SetAsync(MonitorDefinition m, MonitorState state, MonitorStatus status, string reason, DateTimeOffset now)
    {
        var from = state.Status;
        state.Status = status;
        state.Since = now;
        state.Reason = reason;
        events.Publish(new MonitorStateChanged(m.Name!, m.Service!, m.Environment, from, status, reason, now, m.Type, m.Severity));
        var saved = writer.Enqueue(new StateChange { Monitor = m.Name!, At = now, Status = status, Reason = reason.Length > 500 ? reason[..500] : reason });
        // The status page shows the state and the uptime from the saved history: it renders again once the row is in.
        return saved.ContinueWith(t =>
        {
            statusChanges.Raise();
            t.GetAwaiter().GetResult();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
