using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Tests.Monitors;

/// <summary>
/// A tiny DNS responder on a loopback UDP port: answers A queries for the names it knows, NXDOMAIN
/// otherwise (RFC 1035 section 4.1 message layout).
/// </summary>
public sealed class DnsResponder : IDisposable
{
    private readonly UdpClient udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource stop = new();

    public DnsResponder(Dictionary<string, IPAddress> records)
    {
        Port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                UdpReceiveResult query;
                try
                {
                    query = await udp.ReceiveAsync(stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                await udp.SendAsync(Answer(query.Buffer, records), query.RemoteEndPoint, stop.Token);
            }
        });
    }

    public int Port { get; }

    private static byte[] Answer(byte[] q, Dictionary<string, IPAddress> records)
    {
        var labels = new List<string>();
        var i = 12;
        while (q[i] != 0)
        {
            labels.Add(System.Text.Encoding.ASCII.GetString(q, i + 1, q[i]));
            i += q[i] + 1;
        }
        var questionEnd = i + 5;
        var name = string.Join('.', labels);
        var known = records.TryGetValue(name, out var address);
        var response = new List<byte>();
        response.AddRange(q[..2]);
        response.AddRange(new byte[] { 0x81, (byte)(known ? 0x80 : 0x83), 0, 1, 0, (byte)(known ? 1 : 0), 0, 0, 0, 0 });
        response.AddRange(q[12..questionEnd]);
        if (known)
        {
            var ttl = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(ttl, 60);
            response.AddRange(new byte[] { 0xC0, 0x0C, 0, 1, 0, 1 });
            response.AddRange(ttl);
            response.AddRange(new byte[] { 0, 4 });
            response.AddRange(address!.GetAddressBytes());
        }
        return [.. response];
    }

    public void Dispose()
    {
        stop.Cancel();
        udp.Dispose();
    }
}

/// <summary>A TLS server on a loopback port presenting a self-signed certificate made here, valid for the given time.</summary>
public sealed class TlsServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 certificate;

    public TlsServer(TimeSpan validFor, SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        // A certificate is valid in wall-clock time, so it is made on the real clock.
        var now = TimeProvider.System.GetUtcNow();
        using var made = request.CreateSelfSigned(now.AddDays(-1), now + validFor);
        certificate = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync();
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (client)
                    await using (var ssl = new SslStream(client.GetStream()))
                    {
                        try
                        {
                            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = protocols });
                            _ = await ssl.ReadAsync(new byte[1]);
                        }
                        catch (Exception)
                        {
                            // The check hung up or refused the handshake.
                        }
                    }
                });
            }
        });
    }

    public int Port { get; }

    public void Dispose()
    {
        listener.Stop();
        certificate.Dispose();
    }
}
