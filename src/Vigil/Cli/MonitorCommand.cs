using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil monitor list|status|pause|resume|test</c>. All but <c>test</c> talk to a server's API:
/// <c>--server</c> or <c>VIGIL_SERVER</c> (default http://127.0.0.1:8080), <c>--token</c> or
/// <c>VIGIL_TOKEN</c> sent as <c>Authorization: Bearer</c>. Exit 0 ok, 1 failed (or a monitor is down), 2 usage.
/// </summary>
public static class MonitorCommand
{
    public static Command Create(HttpMessageHandler? handler = null)
    {
        var server = new Option<string?>("--server") { Description = "Vigil's URL (or VIGIL_SERVER); default http://127.0.0.1:8080." };
        var token = new Option<string?>("--token") { Description = "An API token (or VIGIL_TOKEN)." };
        var name = new Argument<string>("NAME") { Description = "The monitor's name." };

        var list = new Command("list", "List monitors with their status.");
        list.SetAction((parse, ct) => CallAsync(parse, server, token, handler, HttpMethod.Get, "/api/monitors", ct, (body, output) =>
        {
            output.WriteLine($"{"NAME",-28} {"STATUS",-9} {"TYPE",-18} {"SERVICE",-16} REASON");
            foreach (var m in body.EnumerateArray())
            {
                output.WriteLine($"{m.GetProperty("name").GetString(),-28} {m.GetProperty("status").GetString(),-9} {m.GetProperty("type").GetString(),-18} {m.GetProperty("service").GetString(),-16} {m.GetProperty("reason").GetString()}");
            }
            return ExitCodes.Ok;
        }));

        var status = new Command("status", "Show a monitor's status and last results; exit 1 when it is down.") { name };
        status.SetAction((parse, ct) => CallAsync(parse, server, token, handler, HttpMethod.Get, $"/api/monitors/{Uri.EscapeDataString(parse.GetValue(name)!)}", ct, (m, output) =>
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
            command.SetAction((parse, ct) => CallAsync(parse, server, token, handler, HttpMethod.Post, $"/api/monitors/{Uri.EscapeDataString(parse.GetValue(name)!)}/{verb}", ct, (m, output) =>
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
        monitor.Options.Add(server);
        monitor.Options.Add(token);
        server.Recursive = true;
        token.Recursive = true;
        return monitor;
    }

    private static async Task<int> CallAsync(
        ParseResult parse, Option<string?> serverOption, Option<string?> tokenOption, HttpMessageHandler? handler,
        HttpMethod method, string path, CancellationToken cancellationToken, Func<JsonElement, TextWriter, int> print)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var server = CliRunner.Resolve(parse.GetValue(serverOption), "VIGIL_SERVER", "http://127.0.0.1:8080")!;
        var token = CliRunner.Resolve(parse.GetValue(tokenOption), "VIGIL_TOKEN", null);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var baseAddress))
        {
            await error.WriteLineAsync($"vigil: --server \"{server}\" is not a URL");
            return ExitCodes.Usage;
        }
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = baseAddress;
        http.Timeout = TimeSpan.FromSeconds(30);
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
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
            await error.WriteLineAsync($"vigil: cannot reach {server}: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
