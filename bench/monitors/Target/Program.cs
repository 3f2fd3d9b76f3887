// Targets for bench/monitors: GET /ok (200), /slow (200 after 300 ms), /fail (503), on the URL given.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(args.Length > 0 ? args[0] : "http://127.0.0.1:18081");
var app = builder.Build();
app.MapGet("/ok", () => Results.Text("ok"));
app.MapGet("/slow", async (CancellationToken ct) =>
{
    await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System, ct);
    return Results.Text("slow");
});
app.MapGet("/fail", () => Results.StatusCode(503));
app.Run();
