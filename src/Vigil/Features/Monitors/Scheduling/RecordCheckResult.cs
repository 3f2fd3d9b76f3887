namespace Vigil.Features.Monitors.Scheduling;

/// <summary>
/// What happens with every result: it joins the monitor's recent results, becomes samples, and
/// when it changes the monitor's state (after retries) a row in the database and an event.
/// </summary>
public sealed class RecordCheckResult(MonitorStates states, StateChangeWriter writer, SampleWriter samples, MonitorEvents events, TimeProvider clock)
{
    /// <param name="waitForSave">Return only once a state change is in the database (API calls); the scheduler does not wait.</param>
    public async Task<MonitorState> RecordAsync(MonitorDefinition m, CheckResult result, TimeSpan lateness, bool waitForSave)
    {
        var now = clock.GetUtcNow();
        var state = states.Get(m.Name!);
        samples.Add(m, result, now);
        state.Add(new RecentResult(now, result.Status, result.Reason, result.Duration.TotalSeconds, lateness.TotalSeconds));
        Task saved;
        await state.Gate.WaitAsync();
        try
        {
            var next = MonitorTransition.Next(state.Status, state.Failures, result.Status, m.Retries ?? 0);
            state.Failures = next.Failures;
            if (result.Components.Count > 0)
            {
                state.Components = result.Components;
            }
            if (!next.Changed)
            {
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
        events.Publish(new MonitorStateChanged(m.Name!, m.Service!, m.Environment, from, status, reason, now));
        return writer.Enqueue(new StateChange { Monitor = m.Name!, At = now, Status = status, Reason = reason.Length > 500 ? reason[..500] : reason });
    }
}
