using System.Buffers;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;

namespace Vigil.Features.Notifications.Channels;

/// <summary>The one HTTP client the HTTP channels post through, and how a response becomes a <see cref="SendResult"/>.</summary>
public static class ChannelHttp
{
    /// <summary>What of a receiver's answer is kept with the attempt.</summary>
    public const int ResponseExcerptBytes = 1024;

    private static readonly HttpClient Client = new(Outbound.OutboundConnector.Handler())
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static string UserAgent { get; } = "Vigil/" + (typeof(ChannelHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    private static readonly ProductInfoHeaderValue UserAgentValue = ProductInfoHeaderValue.Parse(UserAgent);

    public static async Task<SendResult> PostAsync(string url, HttpContent content, Action<HttpRequestHeaders>? headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        // Parsed once: parsing it for every request was 2 % of the alert path's allocations.
        request.Headers.UserAgent.Add(UserAgentValue);
        headers?.Invoke(request.Headers);
        try
        {
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var excerpt = await ExcerptAsync(response, cancellationToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new SendResult(true, status, excerpt, null)
                : new SendResult(false, status, excerpt, $"HTTP {status} {response.ReasonPhrase}");
        }
        catch (HttpRequestException e)
        {
            return SendResult.Failed(e.InnerException?.Message is { } inner ? $"{e.Message} ({inner})" : e.Message);
        }
    }

    public static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(ResponseExcerptBytes);
            try
            {
                var read = 0;
                while (read < ResponseExcerptBytes && await stream.ReadAsync(buffer.AsMemory(read, ResponseExcerptBytes - read), cancellationToken) is var n and > 0)
                {
                    read += n;
                }
                return Encoding.UTF8.GetString(buffer, 0, read);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
    }
}
