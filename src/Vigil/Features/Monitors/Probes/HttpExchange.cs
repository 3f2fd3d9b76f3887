using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Vigil.Features.Monitors.Probes;

/// <summary>An HTTP response as a check sees it: status, headers, and at most <see cref="HttpExchange.MaxBodyBytes"/> of body.</summary>
public sealed record HttpAnswer(int Status, IReadOnlyDictionary<string, string> Headers, string Body, TimeSpan Elapsed);

/// <summary>
/// Sends one request for a check and reads a bounded answer. Shared by the HTTP, dependency-health
/// and multi-step probes. One pooled client per (redirects, TLS verification) pair, so thousands
/// of monitors reuse connections instead of opening one each.
/// </summary>
public sealed class HttpExchange(TimeProvider clock) : IDisposable
{
    /// <summary>Bodies are read up to 1 MiB: a target that streams gigabytes fails fast instead of being read whole.</summary>
    public const int MaxBodyBytes = 1 << 20;

    private static readonly Dictionary<string, string> EmptyHeaders = [];

    private readonly HttpClient[] clients = [Create(false, true), Create(true, true), Create(false, false), Create(true, false)];

    private static HttpClient Create(bool redirects, bool verifyTls)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = redirects,
            MaxAutomaticRedirections = 10,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            AutomaticDecompression = DecompressionMethods.All,
            UseCookies = false,
            ConnectTimeout = Timeout.InfiniteTimeSpan,
            // The outbound policy decides every connection, redirects included, after DNS resolution.
            ConnectCallback = Outbound.OutboundConnector.ConnectAsync,
        };
        if (!verifyTls)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        }
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Vigil", Server.ProcessClock.Version));
        return client;
    }

    /// <summary>Sends and reads the answer; a failure to get one is returned as a reason, never thrown (cancellation excepted).</summary>
    public async Task<(HttpAnswer? Answer, string? Failure)> SendAsync(
        string method, string url, IReadOnlyDictionary<string, string>? headers, string? body,
        bool followRedirects, bool verifyTls, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        // Parse hands back the shared instance for the standard methods.
        using var request = new HttpRequestMessage(HttpMethod.Parse(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
        }
        foreach (var (name, value) in headers ?? EmptyHeaders)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        var client = clients[(followRedirects ? 1 : 0) + (verifyTls ? 0 : 2)];
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var answerHeaders = new Dictionary<string, string>(response.Headers.NonValidated.Count + response.Content.Headers.NonValidated.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in response.Headers.NonValidated)
            {
                answerHeaders[name] = values.ToString();
            }
            foreach (var (name, values) in response.Content.Headers.NonValidated)
            {
                answerHeaders[name] = values.ToString();
            }
            if (followRedirects && Unfollowed(response) is { } unfollowed)
            {
                return (null, unfollowed);
            }
            if (response.Content.Headers.ContentLength is > MaxBodyBytes)
            {
                return (null, $"body too large: Content-Length {response.Content.Headers.ContentLength} exceeds the {MaxBodyBytes / 1024 / 1024} MiB limit");
            }
            var (text, tooLarge) = await ReadBoundedAsync(response.Content, cancellationToken);
            if (tooLarge)
            {
                return (null, $"body too large: more than {MaxBodyBytes / 1024 / 1024} MiB");
            }
            return (new HttpAnswer((int)response.StatusCode, answerHeaders, text, clock.GetElapsedTime(started)), null);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, Describe(e));
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"connection error: {e.Message}");
        }
    }

    /// <summary>
    /// A redirect the handler handed back instead of following: after <c>MaxAutomaticRedirections</c>
    /// hops (a loop), or from HTTPS to HTTP, which .NET never follows. Said as such, not as "status 302".
    /// </summary>
    private static string? Unfollowed(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
        {
            return null;
        }
        var from = response.RequestMessage?.RequestUri;
        var to = location.IsAbsoluteUri ? location : from is null ? null : new Uri(from, location);
        return from?.Scheme == Uri.UriSchemeHttps && to?.Scheme == Uri.UriSchemeHttp
            ? $"redirect from HTTPS to HTTP not followed ({from} -> {to})"
            : $"too many redirects: more than 10, the last to {to}";
    }

    private static async Task<(string Text, bool TooLarge)> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        // Pooled: at a thousand checks a second, a fresh buffer per check is most of the garbage.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > MaxBodyBytes)
                {
                    return ("", true);
                }
                if (length == buffer.Length)
                {
                    var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
            return (Encoding.UTF8.GetString(buffer, 0, length), false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static string Describe(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case Outbound.OutboundRefusedException refused:
                    return refused.Message;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "connection refused";
                case SocketException { SocketErrorCode: SocketError.ConnectionReset }:
                    return "connection reset";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return "host not found";
                case SocketException s:
                    return $"network error: {s.SocketErrorCode}";
                case AuthenticationException a:
                    return $"TLS handshake failed: {a.Message}";
            }
        }
        return e.Message;
    }

    public void Dispose()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }
}
