using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil incident list|open|ack|resolve</c> against a server's <c>/api/incidents</c> (see
/// <see cref="ServerClient"/> for <c>--server</c> and <c>--token</c>). Exit 0 ok, 1 refused or
/// unreachable, 2 usage.
/// </summary>
public static class IncidentCommand
{
    public static Command Create()
    {
        var server = new ServerClient();

        var status = new Option<string?>("--status") { Description = "open (default), resolved, all, or one state (triggered, acknowledged, investigating, identified, monitoring)." };
        var severity = new Option<string?>("--severity") { Description = "Only this severity (P1..P4)." };
        var list = new Command("list", "List incidents, newest first.") { status, severity };
        list.SetAction((parse, ct) =>
        {
            var query = new List<string>();
            var state = parse.GetValue(status) ?? "open";
            if (state != "all")
            {
                query.Add($"status={Uri.EscapeDataString(state)}");
            }
            if (parse.GetValue(severity) is { } s)
            {
                query.Add($"severity={Uri.EscapeDataString(s)}");
            }
            return MonitorCommand.CallAsync(parse, server, HttpMethod.Get, "/api/incidents" + (query.Count == 0 ? "" : "?" + string.Join('&', query)), ct, (body, output) =>
            {
                output.WriteLine($"{"ID",-14} {"SEV",-4} {"STATUS",-13} {"OPENED (UTC)",-17} TITLE");
                foreach (var i in body.EnumerateArray())
                {
                    var opened = i.GetProperty("opened_at").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
                    output.WriteLine($"{i.GetProperty("id").GetString(),-14} {i.GetProperty("severity").GetString(),-4} {i.GetProperty("status").GetString(),-13} {opened,-17} {i.GetProperty("title").GetString()}");
                }
                return ExitCodes.Ok;
            });
        });

        var title = new Argument<string>("TITLE") { Description = "What is wrong, in one line." };
        var openSeverity = new Option<string?>("--severity", "-s") { Description = "P1..P4 (default: incidents.default_severity)." };
        var service = new Option<string[]>("--service") { Description = "An affected service (repeatable).", AllowMultipleArgumentsPerToken = true };
        var impact = new Option<string>("--impact") { Description = "degraded_performance, partial_outage or major_outage.", DefaultValueFactory = _ => "partial_outage" };
        var type = new Option<string?>("--type") { Description = "incident (default), security or drill; security incidents and drills are never public." };
        var open = new Command("open", "Open an incident (private until published); prints its ID.") { title, openSeverity, service, impact, type };
        open.SetAction((parse, ct) =>
        {
            var body = JsonContent.Create(new Dictionary<string, object?>
            {
                ["title"] = parse.GetValue(title),
                ["severity"] = parse.GetValue(openSeverity),
                ["type"] = parse.GetValue(type),
                ["services"] = (parse.GetValue(service) ?? []).Select(s => new Dictionary<string, string> { ["service"] = s, ["impact"] = parse.GetValue(impact)! }).ToList(),
            });
            return MonitorCommand.CallAsync(parse, server, HttpMethod.Post, "/api/incidents", ct, (i, output) =>
            {
                output.WriteLine(i.GetProperty("id").GetString());
                return ExitCodes.Ok;
            }, body);
        });

        Command Step(string name, string path, string description)
        {
            var id = new Argument<string>("ID") { Description = "The incident's ID, e.g. INC-2026-001." };
            var note = new Option<string?>("--note", "-n") { Description = "A note for the timeline." };
            var command = new Command(name, description) { id, note };
            command.SetAction((parse, ct) => MonitorCommand.CallAsync(parse, server, HttpMethod.Post, $"/api/incidents/{Uri.EscapeDataString(parse.GetValue(id)!)}/{path}", ct, (i, output) =>
            {
                output.WriteLine($"{i.GetProperty("id").GetString()}: {i.GetProperty("status").GetString()}");
                return ExitCodes.Ok;
            }, JsonContent.Create(new Dictionary<string, string?> { ["note"] = parse.GetValue(note) })));
            return command;
        }

        var publishId = new Argument<string>("ID") { Description = "The incident's ID, e.g. INC-2026-001." };
        var publicTitle = new Option<string>("--title") { Description = "The title the status pages show.", Required = true };
        var publish = new Command("publish", "Show an incident on the status pages under a public title.") { publishId, publicTitle };
        publish.SetAction((parse, ct) => Visibility(parse, publishId, new Dictionary<string, string?> { ["visibility"] = "public", ["public_title"] = parse.GetValue(publicTitle) }, ct));
        var unpublishId = new Argument<string>("ID") { Description = "The incident's ID, e.g. INC-2026-001." };
        var unpublish = new Command("unpublish", "Take an incident off the status pages.") { unpublishId };
        unpublish.SetAction((parse, ct) => Visibility(parse, unpublishId, new Dictionary<string, string?> { ["visibility"] = "private" }, ct));

        Task<int> Visibility(ParseResult parse, Argument<string> id, Dictionary<string, string?> body, CancellationToken ct) =>
            MonitorCommand.CallAsync(parse, server, HttpMethod.Put, $"/api/incidents/{Uri.EscapeDataString(parse.GetValue(id)!)}/visibility", ct, (i, output) =>
            {
                output.WriteLine($"{i.GetProperty("id").GetString()}: {i.GetProperty("visibility").GetString()}{(i.TryGetProperty("public_title", out var t) && t.GetString() is { } title ? $" as \"{title}\"" : "")}");
                return ExitCodes.Ok;
            }, JsonContent.Create(body));

        var incident = new Command("incident", "Incidents: list, open, ack, resolve, publish, unpublish.")
        {
            list, open, Step("ack", "ack", "Acknowledge an incident (stops paging)."), Step("resolve", "resolve", "Resolve an incident."), publish, unpublish,
        };
        server.AddTo(incident, recursive: true);
        return incident;
    }
}
