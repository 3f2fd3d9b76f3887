using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Tests.Support;

/// <summary>
/// A real SMTP server on 127.0.0.1 (RFC 5321, the part a client needs: EHLO, AUTH PLAIN/LOGIN,
/// MAIL, RCPT, DATA with dot-unstuffing, QUIT). No STARTTLS. Records every message; can be told
/// to refuse mail with a temporary error.
/// </summary>
public sealed class SmtpListener : IAsyncDisposable
{
    public sealed record Message(string? Helo, string From, IReadOnlyList<string> To, string Data, string? Auth);

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<Message> messages = new();
    private readonly Task accepting;

    public SmtpListener()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public IReadOnlyList<Message> Messages => [.. messages];

    /// <summary>When set, <c>MAIL FROM</c> gets <c>451 4.3.0 try again later</c>.</summary>
    public bool RefuseMail { get; set; }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.UTF8);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 smtp.test ESMTP ready");
            string? helo = null, from = null, auth = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO" or "HELO":
                        helo = line[5..];
                        await writer.WriteAsync("250-smtp.test\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 10485760\r\n");
                        break;
                    case "AUTH":
                        var parts = line.Split(' ');
                        if (parts.Length > 2)
                        {
                            auth = Encoding.UTF8.GetString(Convert.FromBase64String(parts[2])).Replace('\0', ' ').Trim();
                        }
                        else
                        {
                            await writer.WriteLineAsync("334 ");
                            auth = Encoding.UTF8.GetString(Convert.FromBase64String((await reader.ReadLineAsync(stop.Token))!)).Replace('\0', ' ').Trim();
                        }
                        await writer.WriteLineAsync("235 2.7.0 Authentication successful");
                        break;
                    case "MAIL":
                        if (RefuseMail)
                        {
                            await writer.WriteLineAsync("451 4.3.0 try again later");
                            break;
                        }
                        from = Address(line);
                        to.Clear();
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 2.1.5 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }
                        messages.Enqueue(new Message(helo, from ?? "", [.. to], data.ToString(), auth));
                        await writer.WriteLineAsync("250 2.0.0 queued");
                        break;
                    case "RSET" or "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : "";
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
