using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil webhook-sink</c>: a receiver for webhook channels that prints what it gets, so a trial
/// sees its first notification without any outside service. Prints one line per notification and
/// one per alert in it (Alertmanager webhook JSON); any other body is printed as it came.
/// Listens on loopback only.
/// </summary>
public static class WebhookSinkCommand
{
    public const string DefaultListen = "http://127.0.0.1:9095";

    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = $"Where to listen, loopback only (default {DefaultListen}: the example configuration's ops-webhook channel)." };
        var command = new Command("webhook-sink", "Print the notifications that webhook channels send here (for trying Vigil out; loopback only).") { listen };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var address = parse.GetValue(listen) ?? DefaultListen;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != "http" || !(uri.IsLoopback && IPAddress.TryParse(uri.Host.Trim('[', ']'), out _)))
            {
                await error.WriteLineAsync($"vigil: --listen \"{address}\" must be http:// on a loopback address, e.g. {DefaultListen}.");
                return ExitCodes.Usage;
            }
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(address);
            await using var app = builder.Build();
            var gate = new SemaphoreSlim(1, 1);
            app.Run(async context =>
            {
                using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                await gate.WaitAsync(context.RequestAborted);
                try
                {
                    await output.WriteLineAsync(Describe(TimeProvider.System.GetUtcNow(), context.Request.Method, context.Request.Path + context.Request.QueryString, body));
                    await output.FlushAsync(context.RequestAborted);
                }
                finally
                {
                    gate.Release();
                }
                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e)
            {
                await error.WriteLineAsync($"vigil: cannot listen on {address}: {e.Message} Choose another address with --listen.");
                return ExitCodes.Failed;
            }
            await output.WriteLineAsync($"Listening on {address}; webhook notifications sent here are printed below. Ctrl-C ends.");
            await output.FlushAsync(cancellationToken);
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The lines printed for one request: a summary of an Alertmanager webhook notification, else the body as it came.</summary>
    public static string Describe(DateTimeOffset at, string method, string path, string body)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{at:HH:mm:ss} {method} {path}");
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("alerts", out var alerts) && alerts.ValueKind == JsonValueKind.Array)
            {
                text.Append(CultureInfo.InvariantCulture, $" {Text(root, "status")} receiver={Text(root, "receiver")} group={Labels(root, "groupLabels")} ({alerts.GetArrayLength()} alerts)");
                foreach (var alert in alerts.EnumerateArray())
                {
                    var summary = alert.TryGetProperty("annotations", out var annotations) ? Text(annotations, "summary") : "";
                    var line = string.Create(CultureInfo.InvariantCulture, $"  {Text(alert, "status"),-8} {Labels(alert, "labels")} {summary} {Text(alert, "generatorURL")}");
                    text.Append('\n').Append(line.TrimEnd());
                }
                return text.ToString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: printed as it came.
        }
        return text.Append('\n').Append(body).ToString();
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static string Labels(JsonElement element, string name) =>
        element.TryGetProperty(name, out var labels) && labels.ValueKind == JsonValueKind.Object
            ? "{" + string.Join(", ", labels.EnumerateObject().Select(l => $"{l.Name}=\"{l.Value.GetString()}\"")) + "}"
            : "{}";
}
