using System.CommandLine;
using System.Text.Json;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil page list|ack|resolve</c>: pages through the server's <c>/api/pages</c>. Exit 0 on
/// success, 1 when the server refused (no such page, no permission), 2 on usage errors.
/// </summary>
public static class PageCommand
{
    public static Command Create()
    {
        var server = new ServerClient();
        var subject = new Argument<string>("SUBJECT") { Description = "What the page is about, e.g. incident:42." };

        var list = new Command("list", "Show open pages and those resolved in the last day.");
        list.SetAction((parse, ct) => MonitorCommand.CallAsync(parse, server, HttpMethod.Get, "/api/pages", ct, (pages, output) =>
        {
            output.WriteLine($"{"SUBJECT",-24} {"STATUS",-13} {"LEVEL",5} {"POLICY",-16} TITLE");
            foreach (var p in pages.EnumerateArray())
            {
                output.WriteLine($"{p.GetProperty("subject").GetString(),-24} {p.GetProperty("status").GetString(),-13} {p.GetProperty("level").GetInt32(),5} {p.GetProperty("policy").GetString(),-16} {p.GetProperty("title").GetString()}");
            }
            return ExitCodes.Ok;
        }));

        Command Respond(string verb, string path, string description)
        {
            var command = new Command(verb, description) { subject };
            command.SetAction((parse, ct) => MonitorCommand.CallAsync(parse, server, HttpMethod.Post, $"/api/pages/{Uri.EscapeDataString(parse.GetValue(subject)!)}/{path}", ct, Print));
            return command;
        }

        var page = new Command("page", "Work with pages (people paged through escalation policies).")
        {
            list, Respond("ack", "ack", "Acknowledge a page: escalation stops."), Respond("resolve", "resolve", "Resolve a page: escalation ends for good."),
        };
        server.AddTo(page, recursive: true);
        return page;
    }

    private static int Print(JsonElement p, TextWriter output)
    {
        var by = p.GetProperty("status").GetString() == "resolved" ? p.GetProperty("resolved_by").GetString() : p.GetProperty("acknowledged_by").GetString();
        output.WriteLine($"{p.GetProperty("subject").GetString()}: {p.GetProperty("status").GetString()} by {by}");
        return ExitCodes.Ok;
    }
}
