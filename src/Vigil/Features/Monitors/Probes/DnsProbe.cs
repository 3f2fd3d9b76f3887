using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Vigil.Features.Monitors.Probes;

/// <summary>DNS: the name resolves (through the given name server, or the system's) and the answers include every expected value.</summary>
public sealed class DnsProbe(TimeProvider clock) : IMonitorProbe
{
    public MonitorType Type => MonitorType.Dns;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        LookupClientOptions options;
        try
        {
            options = m.Host is null
                ? new LookupClientOptions()
                : new LookupClientOptions(new NameServer(await ResolveAsync(m.Host, cancellationToken), m.Port ?? 53));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or Outbound.OutboundRefusedException)
        {
            return CheckResult.Down(HttpExchange.Describe(e), TimeSpan.Zero);
        }
        options.UseCache = false;
        options.Retries = 0;
        options.Timeout = m.Timeout ?? MonitorRules.DefaultTimeout;
        options.ThrowDnsErrors = false;
        var client = new LookupClient(options);
        var type = m.RecordType ?? DnsRecordType.A;
        var started = clock.GetTimestamp();
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(m.Query!, Map(type), QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException e)
        {
            return CheckResult.Down($"DNS error: {e.Message}", clock.GetElapsedTime(started));
        }
        var elapsed = clock.GetElapsedTime(started);
        if (response.HasError)
        {
            return CheckResult.Down($"DNS error: {response.ErrorMessage}", elapsed);
        }
        var answers = response.Answers.Select(Value).Where(v => v is not null).Select(v => v!).ToList();
        if (answers.Count == 0)
        {
            return CheckResult.Down($"no {type.ToString().ToUpperInvariant()} records for {m.Query}", elapsed);
        }
        var missing = (m.Expected ?? []).Where(e => !answers.Contains(e.TrimEnd('.'), StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
        {
            return CheckResult.Down($"answer mismatch: got {string.Join(", ", answers)}, missing {string.Join(", ", missing)}", elapsed);
        }
        return CheckResult.UpUnless(m.DegradedAfter, string.Join(", ", answers), elapsed);
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken) =>
        (await Outbound.OutboundConnector.ResolveAsync(host, cancellationToken))[0];

    private static QueryType Map(DnsRecordType type) => type switch
    {
        DnsRecordType.Aaaa => QueryType.AAAA,
        DnsRecordType.Cname => QueryType.CNAME,
        DnsRecordType.Mx => QueryType.MX,
        DnsRecordType.Txt => QueryType.TXT,
        DnsRecordType.Ns => QueryType.NS,
        _ => QueryType.A,
    };

    private static string? Value(DnsResourceRecord record) => record switch
    {
        ARecord a => a.Address.ToString(),
        AaaaRecord a => a.Address.ToString(),
        CNameRecord c => c.CanonicalName.Value.TrimEnd('.'),
        MxRecord mx => mx.Exchange.Value.TrimEnd('.'),
        NsRecord ns => ns.NSDName.Value.TrimEnd('.'),
        TxtRecord txt => string.Concat(txt.Text),
        _ => null,
    };
}
