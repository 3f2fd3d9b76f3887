using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Tests.Monitors;

/// <summary>A real HTTP target for checks: Kestrel on a free loopback port with the routes a test gives.</summary>
public sealed class TargetServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private TargetServer(WebApplication app)
    {
        this.app = app;
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    public static async Task<TargetServer> StartAsync(Action<WebApplication> routes, Action<IWebHostBuilder>? web = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        web?.Invoke(builder.WebHost);
        var app = builder.Build();
        app.UseWebSockets();
        routes(app);
        await app.StartAsync();
        return new TargetServer(app);
    }

    /// <summary>A target with the usual endpoints: healthy, failing, slow, hanging, an endless body, JSON health.</summary>
    public static Task<TargetServer> StandardAsync() => StartAsync(app =>
    {
        app.MapGet("/ok", () => Results.Text("all good"));
        app.MapGet("/json", () => Results.Json(new { status = "ok", data = new { items = new[] { new { id = 7 } } } }));
        app.MapGet("/fail", () => Results.StatusCode(503));
        app.MapGet("/redirect", () => Results.Redirect("/ok"));
        app.MapGet("/loop", () => Results.Redirect("/loop"));
        app.MapGet("/slow", async (HttpContext c) =>
        {
            await c.Response.StartAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System, c.RequestAborted);
            await c.Response.WriteAsync("late");
        });
        app.MapGet("/hang", async (HttpContext c) => await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, c.RequestAborted));
        app.MapGet("/huge", async (HttpContext c) =>
        {
            // Streams "2 GB" without a Content-Length: a check must stop at its limit.
            var chunk = new byte[64 * 1024];
            for (long sent = 0; sent < 2L * 1024 * 1024 * 1024 && !c.RequestAborted.IsCancellationRequested; sent += chunk.Length)
            {
                await c.Response.Body.WriteAsync(chunk, c.RequestAborted);
            }
        });
        app.MapGet("/health", () => Results.Json(new
        {
            status = "degraded",
            database = "connected",
            external_apis = new { shopify = "degraded", clerk = "healthy" },
            version = "1.4.2",
            uptime = 86400,
        }));
    });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
