using System.CommandLine;
using System.Net.Http.Json;
using Vigil.Configuration;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil silence add|list|expire</c> against a server's <c>/api/silences</c> (see
/// <see cref="ServerClient"/> for <c>--server</c> and <c>--token</c>). Exit 0 ok, 1 refused or
/// unreachable, 2 usage.
/// </summary>
public static class SilenceCommand
{
    public static Command Create()
    {
        var server = new ServerClient();

        var matchers = new Argument<string[]>("MATCHER") { Description = "Alertmanager matchers, all of which must match: service=api, severity=~\"warning|critical\".", Arity = ArgumentArity.OneOrMore };
        var duration = new Option<string>("--duration", "-d") { Description = "How long the silence lasts from now (30m, 2h, 1d).", DefaultValueFactory = _ => "1h" };
        var comment = new Option<string>("--comment", "-c") { Description = "Why the alerts are silenced.", Required = true };
        var add = new Command("add", "Silence the alerts matching all the matchers, from now for --duration.") { matchers, duration, comment };
        add.SetAction(async (parse, ct) =>
        {
            if (!Duration.TryParse(parse.GetValue(duration)!, out var length) || length <= TimeSpan.Zero)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"vigil: --duration \"{parse.GetValue(duration)}\" is not a duration such as 30m or 2h");
                return ExitCodes.Usage;
            }
            var body = JsonContent.Create(new Dictionary<string, object>
            {
                ["matchers"] = parse.GetValue(matchers)!,
                ["duration"] = Duration.Format(length),
                ["comment"] = parse.GetValue(comment)!,
            });
            return await MonitorCommand.CallAsync(parse, server, HttpMethod.Post, "/api/silences", ct, (s, output) =>
            {
                output.WriteLine(s.GetProperty("id").GetString());
                return ExitCodes.Ok;
            }, body);
        });

        var state = new Option<string?>("--state") { Description = "Only silences in this state: pending, active or expired." };
        var list = new Command("list", "List silences, newest end first.") { state };
        list.SetAction((parse, ct) => MonitorCommand.CallAsync(parse, server, HttpMethod.Get,
            "/api/silences" + (parse.GetValue(state) is { } s ? $"?state={Uri.EscapeDataString(s)}" : ""), ct, (body, output) =>
            {
                output.WriteLine($"{"ID",-36} {"STATE",-8} {"ENDS",-20} {"CREATED BY",-16} MATCHERS  COMMENT");
                foreach (var silence in body.EnumerateArray())
                {
                    var ends = silence.GetProperty("ends_at").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
                    var text = string.Join(',', silence.GetProperty("matchers").EnumerateArray().Select(m => m.GetString()));
                    output.WriteLine($"{silence.GetProperty("id").GetString(),-36} {silence.GetProperty("state").GetString(),-8} {ends,-20} {silence.GetProperty("created_by").GetString(),-16} {text}  {silence.GetProperty("comment").GetString()}");
                }
                return ExitCodes.Ok;
            }));

        var id = new Argument<string>("ID") { Description = "The silence's id (from vigil silence list)." };
        var expire = new Command("expire", "End a silence now.") { id };
        expire.SetAction((parse, ct) => MonitorCommand.CallAsync(parse, server, HttpMethod.Delete, $"/api/silences/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct, (s, output) =>
        {
            output.WriteLine($"{s.GetProperty("id").GetString()}: {s.GetProperty("state").GetString()}");
            return ExitCodes.Ok;
        }));

        var silence = new Command("silence", "Silence alerts: add, list, expire.") { add, list, expire };
        server.AddTo(silence, recursive: true);
        return silence;
    }

}
