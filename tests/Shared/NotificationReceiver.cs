using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Tests.Support;

/// <summary>
/// A real HTTP receiver for notifications (Kestrel on 127.0.0.1): records every request with its
/// headers and body, and answers as told — a status, a hang until released, or a dropped connection.
/// </summary>
public sealed class NotificationReceiver : IAsyncDisposable
{
    /// <param name="Answered">The status it was answered with (0 for a hang or a dropped connection).</param>
    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Answered, DateTimeOffset At = default)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Body);

        public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
    }

    public enum Mode
    {
        Answer,
        Hang,
        Close,
    }

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Received> requests = new();
    private TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NotificationReceiver(WebApplication app)
    {
        this.app = app;
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    public Mode Behaviour { get; set; } = Mode.Answer;

    public int Status { get; set; } = 200;

    public string ResponseBody { get; set; } = "{}";

    public IReadOnlyList<Received> Requests => [.. requests];

    /// <summary>How many requests answered with success carried each <c>Idempotency-Key</c>.</summary>
    public IReadOnlyDictionary<string, int> AcceptedKeys =>
        Requests.Where(r => r.Answered is >= 200 and < 300 && r.Header("Idempotency-Key") is not null).GroupBy(r => r.Header("Idempotency-Key")!).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>How many requests carried each <c>Idempotency-Key</c>.</summary>
    public IReadOnlyDictionary<string, int> Keys =>
        Requests.Where(r => r.Header("Idempotency-Key") is not null).GroupBy(r => r.Header("Idempotency-Key")!).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Lets hanging requests finish (with the current status).</summary>
    public void Release()
    {
        var old = release;
        release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    public static async Task<NotificationReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        NotificationReceiver? receiver = null;
        app.Run(async context => await receiver!.HandleAsync(context));
        await app.StartAsync();
        receiver = new NotificationReceiver(app);
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        requests.Enqueue(new Received(context.Request.Method, context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body.ToArray(), Behaviour == Mode.Answer ? Status : 0, TimeProvider.System.GetUtcNow()));
        switch (Behaviour)
        {
            case Mode.Close:
                context.Abort();
                return;
            case Mode.Hang:
                await Task.WhenAny(release.Task, Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, context.RequestAborted));
                break;
        }
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ResponseBody);
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
