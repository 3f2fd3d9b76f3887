using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil cost import FILE [--format focus|simple] [--month 2026-11] [--source NAME]</c> sends a billing file to
/// <c>POST /api/cost/imports</c> (a token with <c>cost.manage</c>); <c>vigil cost report [--month 2026-11]</c> prints
/// the monthly report. A file with errors imports nothing and each error is printed as <c>file:line: column: reason</c>.
/// Exit 0 ok, 1 failed (or refused), 2 usage.
/// </summary>
public static class CostCommand
{
    public static Command Create()
    {
        var cost = new Command("cost", "Import billing data and see spend per service against budgets.") { ImportVerb(), ReportVerb() };
        return cost;
    }

    private static Command ImportVerb()
    {
        var server = new ServerClient();
        var file = new Argument<string>("FILE") { Description = "A FOCUS 1.x CSV export, or a provider,item,monthly_cost list." };
        var format = new Option<string?>("--format") { Description = "focus or simple (default: focus when the header has BilledCost)." };
        var month = new Option<string?>("--month") { Description = "The month billed, e.g. 2026-11: a simple list's month (default this month); with FOCUS, every row must fall in it." };
        var source = new Option<string?>("--source") { Description = "Who billed it; a new import replaces the same source's overlapping period (default: the file's providers, or simple)." };
        var import = new Command("import", "Import a billing file; re-importing a period of the same source replaces it.") { file, format, month, source };
        server.AddTo(import);
        import.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (parse.GetValue(format) is { } f && f is not ("focus" or "simple"))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"vigil: --format must be focus or simple, not \"{f}\"");
                return ExitCodes.Usage;
            }
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"vigil: cannot read {path}: {e.Message}");
                return ExitCodes.Failed;
            }
            var query = new StringBuilder($"/api/cost/imports?file={Uri.EscapeDataString(Path.GetFileName(path))}");
            foreach (var (name, value) in new[] { ("format", parse.GetValue(format)), ("month", parse.GetValue(month)), ("source", parse.GetValue(source)) })
            {
                if (value is not null)
                {
                    query.Append($"&{name}={Uri.EscapeDataString(value)}");
                }
            }
            var content = new StringContent(text, Encoding.UTF8, "text/csv");
            return await MonitorCommand.CallAsync(parse, server, HttpMethod.Post, query.ToString(), cancellationToken, (r, output) =>
            {
                var replaced = r.GetProperty("replaced").GetInt32();
                output.WriteLine($"imported {r.GetProperty("lines").GetInt32()} lines from {path} as {r.GetProperty("source").GetString()} ({r.GetProperty("format").GetString()}), " +
                    $"{r.GetProperty("period_start").GetDateTimeOffset():yyyy-MM-dd} to {r.GetProperty("period_end").GetDateTimeOffset():yyyy-MM-dd}: total ${r.GetProperty("total").GetDecimal():0.00}" +
                    (replaced > 0 ? $"; replaced {replaced} earlier import{(replaced == 1 ? "" : "s")} of that period" : ""));
                return ExitCodes.Ok;
            }, content);
        });
        return import;
    }

    private static Command ReportVerb()
    {
        var server = new ServerClient();
        var month = new Option<string?>("--month") { Description = "The month, e.g. 2026-11 (default this month)." };
        var report = new Command("report", "Print the monthly cost report: spend, budget and forecast per service.") { month };
        server.AddTo(report);
        report.SetAction((parse, cancellationToken) =>
        {
            var path = "/api/cost/report" + (parse.GetValue(month) is { } m ? $"?month={Uri.EscapeDataString(m)}" : "");
            return MonitorCommand.CallAsync(parse, server, HttpMethod.Get, path, cancellationToken, (r, output) =>
            {
                output.WriteLine($"{"SERVICE",-24} {"SPENT",10} {"BUDGET",10} {"FORECAST",10} {"% BUDGET",9}");
                foreach (var s in r.GetProperty("services").EnumerateArray().Append(r.GetProperty("total")))
                {
                    output.WriteLine($"{s.GetProperty("service").GetString() ?? "total",-24} {Amount(s.GetProperty("spend")),10} {Amount(s.GetProperty("budget")),10} {Amount(s.GetProperty("forecast")),10} {Amount(s.GetProperty("percent_of_budget")),9}");
                }
                output.WriteLine($"{"unallocated",-24} {Amount(r.GetProperty("unallocated")),10}");
                return ExitCodes.Ok;
            });
        });
        return report;
    }

    private static string Amount(JsonElement value) => value.ValueKind == JsonValueKind.Number ? value.GetDecimal().ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
