using System.CommandLine;
using System.Text.Json;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil monitor list|status|pause|resume|test</c>. All but <c>test</c> talk to a server's API:
/// <c>--server</c> or <c>VIGIL_SERVER</c> (default http://127.0.0.1:8080), <c>--token</c> or
/// <c>VIGIL_TOKEN</c> sent as <c>Authorization: Bearer</c>. Exit 0 ok, 1 failed (or a monitor is down), 2 usage.
/// </summary>
public static class MonitorCommand
{
    public static Command Create()
    {
        var server = new ServerClient();
        var name = new Argument<string>("NAME") { Description = "The monitor's name." };

        var list = new Command("list", "List monitors with their status.");
        list.SetAction((parse, ct) => CallAsync(parse, server, HttpMethod.Get, "/api/monitors", ct, (body, output) =>
        {
            output.WriteLine($"{"NAME",-28} {"STATUS",-9} {"TYPE",-18} {"SERVICE",-16} REASON");
            foreach (var m in body.EnumerateArray())
            {
                output.WriteLine($"{m.GetProperty("name").GetString(),-28} {m.GetProperty("status").GetString(),-9} {m.GetProperty("type").GetString(),-18} {m.GetProperty("service").GetString(),-16} {m.GetProperty("reason").GetString()}");
            }
            return ExitCodes.Ok;
        }));

        var status = new Command("status", "Show a monitor's status and last results; exit 1 when it is down.") { name };
        status.SetAction((parse, ct) => CallAsync(parse, server, HttpMethod.Get, $"/api/monitors/{Uri.EscapeDataString(parse.GetValue(name)!)}", ct, (m, output) =>
        {
            var state = m.GetProperty("status").GetString();
            output.WriteLine($"{m.GetProperty("name").GetString()}: {state} since {m.GetProperty("status_since")} — {m.GetProperty("reason").GetString()}");
            foreach (var r in m.GetProperty("recent").EnumerateArray().Take(10))
            {
                output.WriteLine($"  {r.GetProperty("at").GetString()}  {r.GetProperty("status").GetString(),-9} {r.GetProperty("reason").GetString()}");
            }
            return state == "down" ? ExitCodes.Failed : ExitCodes.Ok;
        }));

        Command Toggle(string verb, string description)
        {
            var command = new Command(verb, description) { name };
            command.SetAction((parse, ct) => CallAsync(parse, server, HttpMethod.Post, $"/api/monitors/{Uri.EscapeDataString(parse.GetValue(name)!)}/{verb}", ct, (m, output) =>
            {
                output.WriteLine($"{m.GetProperty("name").GetString()}: {(m.GetProperty("paused").GetBoolean() ? "paused" : "resumed")}");
                return ExitCodes.Ok;
            }));
            return command;
        }

        var monitor = new Command("monitor", "Work with monitors.")
        {
            list, status, Toggle("pause", "Stop checking a monitor."), Toggle("resume", "Start checking a paused monitor again."), MonitorTestCommand.Create(),
        };
        server.AddTo(monitor, recursive: true);
        return monitor;
    }

    internal static async Task<int> CallAsync(
        ParseResult parse, ServerClient server, HttpMethod method, string path, CancellationToken cancellationToken, Func<JsonElement, TextWriter, int> print)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var (client, usage) = server.Connect(parse);
        if (client is null)
        {
            await error.WriteLineAsync($"vigil: {usage}");
            return ExitCodes.Usage;
        }
        using var http = client;
        using var request = new HttpRequestMessage(method, path);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var detail = text;
                try
                {
                    using var problem = JsonDocument.Parse(text);
                    detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
                }
                catch (JsonException)
                {
                    // Not a problem document: print it as it came.
                }
                await error.WriteLineAsync($"vigil: {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
                return ExitCodes.Failed;
            }
            using var document = JsonDocument.Parse(text);
            return print(document.RootElement, output);
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"vigil: cannot reach {http.BaseAddress}: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
