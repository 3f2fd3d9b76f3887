using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil deploy start|finish|rollback|list</c> against a server's <c>/api/deployments</c> (see
/// <see cref="ServerClient"/> for <c>--server</c> and <c>--token</c>). Exit 0 ok, 1 refused or
/// unreachable, 2 usage.
/// </summary>
public static class DeployCommand
{
    public static Command Create()
    {
        var server = new ServerClient();

        var listService = new Option<string?>("--service") { Description = "Only this service." };
        var listEnvironment = new Option<string?>("--environment", "-e") { Description = "Only this environment." };
        var listStatus = new Option<string?>("--status") { Description = "Only this state: pending, in_progress, succeeded, failed, rolled_back." };
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 50)." };
        var list = new Command("list", "List deployments, newest first.") { listService, listEnvironment, listStatus, limit };
        list.SetAction((parse, ct) =>
        {
            var query = new List<string>();
            void Add(string name, string? value)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }
            Add("service", parse.GetValue(listService));
            Add("environment", parse.GetValue(listEnvironment));
            Add("status", parse.GetValue(listStatus));
            Add("limit", parse.GetValue(limit)?.ToString(CultureInfo.InvariantCulture));
            return MonitorCommand.CallAsync(parse, server, HttpMethod.Get, "/api/deployments" + (query.Count == 0 ? "" : "?" + string.Join('&', query)), ct, (body, output) =>
            {
                output.WriteLine($"{"ID",-6} {"SERVICE",-16} {"ENVIRONMENT",-12} {"VERSION",-14} {"STATUS",-12} {"CREATED (UTC)",-17} BY");
                foreach (var d in body.EnumerateArray())
                {
                    var created = d.GetProperty("created_at").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
                    output.WriteLine($"{d.GetProperty("id").GetInt32(),-6} {d.GetProperty("service").GetString(),-16} {d.GetProperty("environment").GetString(),-12} {d.GetProperty("version").GetString(),-14} {d.GetProperty("status").GetString(),-12} {created,-17} {d.GetProperty("deployed_by").GetString()}");
                }
                return ExitCodes.Ok;
            });
        });

        var startId = new Argument<int?>("ID") { Description = "A pending deployment to start; without it, a new deployment is recorded and started.", Arity = ArgumentArity.ZeroOrOne };
        var service = new Option<string?>("--service") { Description = "The catalog service deployed." };
        var environment = new Option<string?>("--environment", "-e") { Description = "The environment deployed to." };
        var version = new Option<string?>("--version") { Description = "The version deployed." };
        var previous = new Option<string?>("--previous-version") { Description = "What ran before (default: the last succeeded deployment's version)." };
        var strategy = new Option<string?>("--strategy") { Description = "rolling (default), blue_green or canary." };
        var commit = new Option<string?>("--commit") { Description = "The commit deployed." };
        var link = new Option<string[]>("--link") { Description = "A link (CI run, change ticket); repeatable.", AllowMultipleArgumentsPerToken = true };
        var pending = new Option<bool>("--pending") { Description = "Record it pending (gates and approval to come) instead of starting it." };
        var overrideReason = new Option<string?>("--override-reason") { Description = "Why it starts during a change freeze." };
        var start = new Command("start", "Record and start a deployment (prints its ID), or start a pending one.") { startId, service, environment, version, previous, strategy, commit, link, pending, overrideReason };
        start.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(startId) is { } id)
            {
                return await MonitorCommand.CallAsync(parse, server, HttpMethod.Post, $"/api/deployments/{id}/start", ct, PrintStatus,
                    JsonContent.Create(new Dictionary<string, string?> { ["override_reason"] = parse.GetValue(overrideReason) }));
            }
            if (parse.GetValue(service) is null || parse.GetValue(environment) is null || parse.GetValue(version) is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("vigil: deploy start needs a pending deployment's ID, or --service, --environment and --version");
                return ExitCodes.Usage;
            }
            var body = JsonContent.Create(new Dictionary<string, object?>
            {
                ["service"] = parse.GetValue(service),
                ["environment"] = parse.GetValue(environment),
                ["version"] = parse.GetValue(version),
                ["previous_version"] = parse.GetValue(previous),
                ["strategy"] = parse.GetValue(strategy),
                ["commit"] = parse.GetValue(commit),
                ["links"] = parse.GetValue(link) ?? [],
                ["status"] = parse.GetValue(pending) ? "pending" : "in_progress",
                ["override_reason"] = parse.GetValue(overrideReason),
            });
            return await MonitorCommand.CallAsync(parse, server, HttpMethod.Post, "/api/deployments", ct, (d, output) =>
            {
                output.WriteLine(d.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture));
                return ExitCodes.Ok;
            }, body);
        });

        var finishId = new Argument<int>("ID") { Description = "The deployment's ID." };
        var failed = new Option<bool>("--failed") { Description = "It failed (default: it succeeded)." };
        var finishNote = new Option<string?>("--note", "-n") { Description = "A note for its history." };
        var finish = new Command("finish", "Finish a deployment: succeeded, or failed with --failed.") { finishId, failed, finishNote };
        finish.SetAction((parse, ct) => MonitorCommand.CallAsync(parse, server, HttpMethod.Post, $"/api/deployments/{parse.GetValue(finishId)}/finish", ct, PrintStatus,
            JsonContent.Create(new Dictionary<string, string?> { ["status"] = parse.GetValue(failed) ? "failed" : "succeeded", ["note"] = parse.GetValue(finishNote) })));

        var rollbackId = new Argument<int>("ID") { Description = "The deployment's ID." };
        var rollbackVersion = new Option<string?>("--version") { Description = "The version returned to (default: the previous version)." };
        var rollbackNote = new Option<string?>("--note", "-n") { Description = "Why." };
        var rollback = new Command("rollback", "Mark a deployment rolled back.") { rollbackId, rollbackVersion, rollbackNote };
        rollback.SetAction((parse, ct) => MonitorCommand.CallAsync(parse, server, HttpMethod.Post, $"/api/deployments/{parse.GetValue(rollbackId)}/rollback", ct, PrintStatus,
            JsonContent.Create(new Dictionary<string, string?> { ["version"] = parse.GetValue(rollbackVersion), ["note"] = parse.GetValue(rollbackNote) })));

        var deploy = new Command("deploy", "Deployments: start, finish, rollback, list.") { start, finish, rollback, list };
        server.AddTo(deploy, recursive: true);
        return deploy;
    }

    private static int PrintStatus(JsonElement d, TextWriter output)
    {
        output.WriteLine($"{d.GetProperty("id").GetInt32()}: {d.GetProperty("service").GetString()} {d.GetProperty("version").GetString()} to {d.GetProperty("environment").GetString()} {d.GetProperty("status").GetString()}");
        return ExitCodes.Ok;
    }
}
