using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Features.Monitors.Probes;

/// <summary>
/// TLS certificate: connects, completes a handshake offering only the minimum protocol and newer,
/// and judges the days until the certificate expires against the warning (degraded) and critical
/// (down) thresholds. An untrusted certificate is down unless <c>verify_tls: false</c>.
/// </summary>
public sealed class TlsProbe(TimeProvider clock) : IMonitorProbe
{
    public const int DefaultWarningDays = 30;
    public const int DefaultCriticalDays = 7;

    public MonitorType Type => MonitorType.Tls;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(await Outbound.OutboundConnector.ResolveAsync(m.Host!, cancellationToken), m.Port ?? 443, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or Outbound.OutboundRefusedException)
        {
            return CheckResult.Down(HttpExchange.Describe(e), clock.GetElapsedTime(started));
        }
        X509Certificate2? presented = null;
        SslPolicyErrors errors = SslPolicyErrors.None;
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, policyErrors) =>
        {
            presented = certificate is null ? null : new X509Certificate2(certificate);
            errors = policyErrors;
            return true;
        });
        var protocols = m.MinTlsVersion == "1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = m.Host, EnabledSslProtocols = protocols }, cancellationToken);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            var reason = m.MinTlsVersion is { } min ? $"handshake failed offering TLS {min} or newer: {e.Message}" : $"TLS handshake failed: {e.Message}";
            return CheckResult.Down(reason, clock.GetElapsedTime(started));
        }
        var elapsed = clock.GetElapsedTime(started);
        if (presented is null)
        {
            return CheckResult.Down("no certificate presented", elapsed);
        }
        using var certificate = presented;
        var remaining = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()) - clock.GetUtcNow();
        var result = Judge(remaining, errors, m.VerifyTls ?? true, m.WarningDays ?? DefaultWarningDays, m.CriticalDays ?? DefaultCriticalDays, ssl.SslProtocol, elapsed);
        return result with { CertificateExpirySeconds = remaining.TotalSeconds };
    }

    /// <summary>The decision, apart from the handshake: trust first, then days left against the thresholds.</summary>
    public static CheckResult Judge(TimeSpan remaining, SslPolicyErrors errors, bool verify, int warningDays, int criticalDays, SslProtocols protocol, TimeSpan elapsed)
    {
        if (remaining <= TimeSpan.Zero)
        {
            return CheckResult.Down($"certificate expired {Days(-remaining)} ago", elapsed);
        }
        if (verify && errors != SslPolicyErrors.None)
        {
            return CheckResult.Down($"certificate not trusted: {errors}", elapsed);
        }
        var days = (int)Math.Floor(remaining.TotalDays);
        var text = $"certificate expires in {Days(remaining)}";
        if (days < criticalDays)
        {
            return CheckResult.Down(text, elapsed);
        }
        if (days < warningDays)
        {
            return new CheckResult(MonitorStatus.Degraded, text, elapsed);
        }
        return CheckResult.Up($"{text} ({Name(protocol)})", elapsed);
    }

    private static string Days(TimeSpan t) => (int)Math.Floor(t.TotalDays) is var d && d == 1 ? "1 day" : $"{(int)Math.Floor(t.TotalDays)} days";

    private static string Name(SslProtocols p) => p switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => p.ToString(),
    };
}
