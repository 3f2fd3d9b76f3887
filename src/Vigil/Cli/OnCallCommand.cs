using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil oncall who [SCHEDULE] [--at TIME]</c>: who is on call per schedule now (or at TIME), and
/// until when, from the server's <c>GET /api/oncall</c>. Exit 0 when every schedule shown has
/// someone on call, 1 when one has nobody (or the call failed), 2 on usage errors.
/// </summary>
public static class OnCallCommand
{
    public static Command Create()
    {
        var server = new ServerClient();
        var schedule = new Argument<string?>("SCHEDULE") { Description = "One schedule's name; all schedules when left out.", Arity = ArgumentArity.ZeroOrOne };
        var at = new Option<string?>("--at") { Description = "An ISO-8601 time with offset or Z, e.g. 2026-03-29T01:30:00Z (default: now)." };

        var who = new Command("who", "Show who is on call now (or at --at) and until when.") { schedule, at };
        who.SetAction(async (parse, ct) =>
        {
            var when = parse.GetValue(at);
            if (when is not null && !DateTimeOffset.TryParse(when, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"vigil: --at must be an ISO-8601 time such as 2026-03-29T01:30:00Z, not \"{when}\"");
                return ExitCodes.Usage;
            }
            var query = new List<string>();
            if (parse.GetValue(schedule) is { } name)
            {
                query.Add($"schedule={Uri.EscapeDataString(name)}");
            }
            if (when is not null)
            {
                query.Add($"at={Uri.EscapeDataString(DateTimeOffset.Parse(when, CultureInfo.InvariantCulture).ToString("O", CultureInfo.InvariantCulture))}");
            }
            var path = "/api/oncall" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
            return await MonitorCommand.CallAsync(parse, server, HttpMethod.Get, path, ct, Print);
        });

        var oncall = new Command("oncall", "Ask who is on call.") { who };
        server.AddTo(oncall, recursive: true);
        return oncall;
    }

    private static int Print(JsonElement answers, TextWriter output)
    {
        var nobody = answers.GetArrayLength() == 0;
        if (nobody)
        {
            output.WriteLine("no schedules");
        }
        foreach (var a in answers.EnumerateArray())
        {
            var name = a.GetProperty("schedule").GetString();
            if (a.GetProperty("on_call") is not { ValueKind: JsonValueKind.Object } shift)
            {
                output.WriteLine($"{name,-20} nobody on call");
                nobody = true;
                continue;
            }
            var end = shift.GetProperty("end").GetDateTimeOffset();
            var zone = NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(a.GetProperty("time_zone").GetString()!) ?? NodaTime.DateTimeZone.Utc;
            var local = NodaTime.Instant.FromDateTimeOffset(end).InZone(zone);
            var source = shift.GetProperty("override").GetBoolean() ? "override" : shift.GetProperty("source").GetString();
            output.WriteLine(
                $"{name,-20} {shift.GetProperty("user").GetString(),-16} until {local.ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture)} {zone.Id} ({end.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z)  [{source}]");
        }
        return nobody ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
