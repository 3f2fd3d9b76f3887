using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Metrics.Tests.Scrape;

/// <summary>What the test server answers.</summary>
public sealed record MetricsResponse(string Body, string ContentType = "text/plain; version=0.0.4; charset=utf-8", int Status = 200, bool Gzip = false, bool Hang = false);

/// <summary>A minimal HTTP/1.1 server on a free 127.0.0.1 port that answers every request with <see cref="Response"/> and records the request headers.</summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;

    public MetricsServer(MetricsResponse response)
    {
        Response = response;
        listener.Start();
        accepting = AcceptAsync();
    }

    public MetricsResponse Response { get; set; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public TaskCompletionSource RequestReceived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Address => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    public Uri Url => new($"http://{Address}/metrics");

    /// <summary>An address on which nothing listens: a port that was free a moment ago.</summary>
    public static string ClosedAddress()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return $"127.0.0.1:{port}";
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                _ = HandleAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, stop.Token);
            if (n == 0)
            {
                return;
            }
            head.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        Requests.Enqueue(head.ToString());
        var response = Response;
        var received = RequestReceived;
        RequestReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        received.TrySetResult();
        if (response.Hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        var body = Encoding.UTF8.GetBytes(response.Body);
        if (response.Gzip)
        {
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            {
                gz.Write(body);
            }
            body = ms.ToArray();
        }
        var header = $"HTTP/1.1 {response.Status} {(response.Status == 200 ? "OK" : "Error")}\r\n" +
            $"Content-Type: {response.ContentType}\r\nContent-Length: {body.Length}\r\n" +
            (response.Gzip ? "Content-Encoding: gzip\r\n" : "") + "Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header), stop.Token);
        await stream.WriteAsync(body, stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
