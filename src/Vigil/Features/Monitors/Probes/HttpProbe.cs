namespace Vigil.Features.Monitors.Probes;

/// <summary>HTTP(S): one request; status, conditions and a response-time threshold decide up, degraded or down.</summary>
public sealed class HttpProbe(HttpExchange http) : IMonitorProbe
{
    public MonitorType Type => MonitorType.Http;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        var (answer, failure) = await http.SendAsync(m.Method ?? "GET", m.Url!, m.Headers, m.Body, m.FollowRedirects ?? true, m.VerifyTls ?? true, cancellationToken);
        if (answer is null)
        {
            return CheckResult.Down(failure!, TimeSpan.Zero);
        }
        var values = JsonComparison.Samples(answer.Body, m.JsonSamples);
        if (ResponseConditions.Failure(answer, m.ExpectedStatus, m.Conditions) is { } reason)
        {
            return CheckResult.Down(reason, answer.Elapsed) with { Values = values };
        }
        return CheckResult.UpUnless(m.DegradedAfter, $"status {answer.Status}", answer.Elapsed) with { Values = values };
    }
}
