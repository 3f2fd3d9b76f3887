using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Evaluation;

/// <summary>
/// Which alerts of a rule go to the dispatcher after an evaluation, and with what start and end:
/// Prometheus 2.42's <c>AlertingRule.sendAlerts</c> and <c>Alert.needsSending</c>
/// (rules/alerting.go) and <c>sendAlerts</c> (cmd/prometheus/main.go).
/// </summary>
public static class SendAlerts
{
    /// <summary>
    /// rules/alerting.go <c>needsSending</c>: never while pending; at once when resolved since the
    /// last send; otherwise when the last send is more than <paramref name="resendDelay"/> ago.
    /// </summary>
    public static bool NeedsSending(ActiveAlert alert, long nowMs, TimeSpan resendDelay)
    {
        if (alert.Phase == AlertPhase.Pending)
        {
            return false;
        }
        var lastSent = alert.LastSentAtMs ?? long.MinValue;
        if (alert.ResolvedAtMs is { } resolved && resolved > lastSent)
        {
            return true;
        }
        return alert.LastSentAtMs is null || lastSent + (long)resendDelay.TotalMilliseconds < nowMs;
    }

    /// <summary>
    /// Marks and returns the alerts of <paramref name="state"/> to send at <paramref name="nowMs"/>.
    /// A firing alert is valid until now + 4 × max(resend delay, interval) ("allow for two Eval or
    /// Alertmanager send failures"); a resolved one ends at its resolution. Its start is when it fired.
    /// </summary>
    public static List<IncomingAlert> Select(AlertState state, long nowMs, TimeSpan resendDelay, TimeSpan interval, Labels externalLabels, string generatorUrl, string source = "rule")
    {
        var delta = (long)(interval > resendDelay ? interval : resendDelay).TotalMilliseconds;
        var sent = new List<IncomingAlert>();
        foreach (var alert in state.Alerts)
        {
            if (!NeedsSending(alert, nowMs, resendDelay))
            {
                continue;
            }
            alert.LastSentAtMs = nowMs;
            alert.ValidUntilMs = nowMs + (4 * delta);
            // The notifier adds external labels that the alert does not already have (notifier/notifier.go).
            var labels = alert.Labels;
            foreach (var label in externalLabels)
            {
                if (!labels.Has(label.Name))
                {
                    labels = labels.With(label.Name, label.Value);
                }
            }
            var endsAt = alert.Phase == AlertPhase.Inactive && alert.ResolvedAtMs is { } resolved ? resolved : alert.ValidUntilMs.Value;
            sent.Add(new IncomingAlert(
                labels,
                alert.Annotations,
                alert.FiredAtMs is { } fired ? DateTimeOffset.FromUnixTimeMilliseconds(fired) : null,
                DateTimeOffset.FromUnixTimeMilliseconds(endsAt),
                generatorUrl,
                source));
        }
        return sent;
    }

    /// <summary>Prometheus's generatorURL: <c>externalURL + strutil.TableLinkForExpression(expr)</c>.</summary>
    public static string GeneratorUrl(string externalUrl, string expr) =>
        externalUrl.TrimEnd('/') + "/graph?g0.expr=" + QueryEscape(expr) + "&g0.tab=1";

    /// <summary>Go's <c>url.QueryEscape</c>: unreserved characters kept, space as '+', the rest %XX.</summary>
    private static string QueryEscape(string text)
    {
        var s = new System.Text.StringBuilder();
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                s.Append(c);
            }
            else if (c == ' ')
            {
                s.Append('+');
            }
            else
            {
                s.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return s.ToString();
    }
}
