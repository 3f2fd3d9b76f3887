using System.CommandLine;
using System.Formats.Tar;
using Vigil.Features.Backups;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil backup create --to DIR|FILE.tar</c> asks a running server for a consistent online
/// backup (<c>POST /api/system/backup</c>, a token with <c>system.backup</c>: admin or
/// super_admin) and writes it as a directory or, when the target ends in <c>.tar</c>, as the tar
/// archive itself; <c>vigil backup restore FROM --data DIR</c> makes a data directory of one.
/// Exit 0 ok, 1 failed (or refused), 2 usage.
/// </summary>
public static class BackupCommand
{
    public static Command Create()
    {
        var backup = new Command("backup", "Back up and restore Vigil itself; report backups of your services.") { CreateVerb(), RestoreVerb(), ReportVerb(), DrillVerb() };
        return backup;
    }

    private static Command CreateVerb()
    {
        var server = new ServerClient();
        var to = new Option<string>("--to") { Description = "Where to write the backup: a new or empty directory, or a FILE.tar.", Required = true };
        var create = new Command("create", "Take a consistent backup of a running server (database, metrics, configuration).") { to };
        server.AddTo(create);
        create.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var target = parse.GetValue(to)!;
            var archive = target.EndsWith(".tar", StringComparison.OrdinalIgnoreCase);
            if (archive ? File.Exists(target) || Directory.Exists(target) : File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
            {
                await error.WriteLineAsync($"vigil: {target} already exists{(archive ? "" : " and is not empty")}; a backup never overwrites one");
                return ExitCodes.Failed;
            }
            var (client, usage) = server.Connect(parse);
            if (client is null)
            {
                await error.WriteLineAsync($"vigil: {usage}");
                return ExitCodes.Usage;
            }
            using var http = client;
            http.Timeout = Timeout.InfiniteTimeSpan;
            try
            {
                using var response = await http.PostAsync("/api/system/backup", null, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    await error.WriteLineAsync($"vigil: {(int)response.StatusCode} {response.ReasonPhrase}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    return ExitCodes.Failed;
                }
                var directory = archive ? Path.Combine(Path.GetTempPath(), $"vigil-backup-{Guid.NewGuid():N}") : target;
                Directory.CreateDirectory(directory);
                try
                {
                    await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
                    {
                        await TarFile.ExtractToDirectoryAsync(body, directory, overwriteFiles: false, cancellationToken);
                    }
                    // What arrived is checked against the manifest before anyone relies on it.
                    var (manifest, problems) = await BackupManifest.VerifyAsync(directory, cancellationToken);
                    if (manifest is null || problems.Count > 0)
                    {
                        await error.WriteLineAsync($"vigil: the backup did not arrive whole:\n  {string.Join("\n  ", problems)}");
                        return ExitCodes.Failed;
                    }
                    if (archive)
                    {
                        await TarFile.CreateFromDirectoryAsync(directory, target, includeBaseDirectory: false, cancellationToken);
                    }
                    await output.WriteLineAsync($"backup of {http.BaseAddress} ({manifest.Database}, vigil {manifest.VigilVersion}) taken at {manifest.CreatedAt:O}: {manifest.Files.Count} files, {manifest.Files.Sum(f => f.SizeBytes)} bytes -> {target}");
                    return ExitCodes.Ok;
                }
                finally
                {
                    if (archive)
                    {
                        Directory.Delete(directory, recursive: true);
                    }
                }
            }
            catch (HttpRequestException e)
            {
                await error.WriteLineAsync($"vigil: cannot reach {http.BaseAddress}: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return create;
    }

    /// <summary><c>vigil backup report --policy P --kind full ...</c>: what a backup job runs when it finishes (<c>POST /api/backups/reports</c>).</summary>
    private static Command ReportVerb()
    {
        var server = new ServerClient();
        var policy = new Option<string>("--policy") { Description = "The backup policy (backup_policies: in vigil.yaml).", Required = true };
        var kind = new Option<string>("--kind") { Description = "full, incremental, wal, snapshot, replication, verification or restore.", Required = true };
        var status = new Option<string>("--status") { Description = "success (default) or failure.", DefaultValueFactory = _ => "success" };
        var started = new Option<DateTimeOffset?>("--started-at") { Description = "When the backup started (ISO 8601)." };
        var finished = new Option<DateTimeOffset?>("--finished-at") { Description = "When it finished (ISO 8601; default now)." };
        var size = new Option<long?>("--size-bytes") { Description = "Its size in bytes." };
        var checksum = new Option<string?>("--checksum") { Description = "Its checksum, e.g. sha256:..." };
        var location = new Option<string?>("--location") { Description = "Where it is kept, e.g. s3://bucket/key." };
        var log = new Option<string?>("--log") { Description = "The job's log (the first 10 KB are kept)." };
        var report = new Command("report", "Report a backup, verification or restore drill to the server.") { policy, kind, status, started, finished, size, checksum, location, log };
        server.AddTo(report);
        report.SetAction((parse, cancellationToken) =>
        {
            var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["policy"] = parse.GetValue(policy),
                ["kind"] = parse.GetValue(kind),
                ["status"] = parse.GetValue(status),
                ["started_at"] = parse.GetValue(started),
                ["finished_at"] = parse.GetValue(finished),
                ["size_bytes"] = parse.GetValue(size),
                ["checksum"] = parse.GetValue(checksum),
                ["location"] = parse.GetValue(location),
                ["log"] = parse.GetValue(log),
            });
            var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            return MonitorCommand.CallAsync(parse, server, HttpMethod.Post, "/api/backups/reports", cancellationToken, (r, output) =>
            {
                output.WriteLine($"reported {r.GetProperty("kind").GetString()} backup ({r.GetProperty("status").GetString()}) finished at {r.GetProperty("finished_at")} for {parse.GetValue(policy)}");
                return ExitCodes.Ok;
            }, content);
        });
        return report;
    }

    /// <summary><c>vigil backup drill --policy P --duration 70m</c>: record a restore test and say whether it met the RTO (<c>POST /api/backups/policies/{name}/drills</c>).</summary>
    private static Command DrillVerb()
    {
        var server = new ServerClient();
        var policy = new Option<string>("--policy") { Description = "The backup policy (backup_policies: in vigil.yaml).", Required = true };
        var status = new Option<string>("--status") { Description = "success (default) or failure: whether the restored data checked out.", DefaultValueFactory = _ => "success" };
        var started = new Option<DateTimeOffset?>("--started-at") { Description = "When the restore started (ISO 8601)." };
        var duration = new Option<string?>("--duration") { Description = "How long the restore took, e.g. 70m (instead of --started-at)." };
        var finished = new Option<DateTimeOffset?>("--finished-at") { Description = "When it finished (ISO 8601; default now)." };
        var log = new Option<string?>("--log") { Description = "Notes or the log of the drill (the first 10 KB are kept)." };
        var drill = new Command("drill", "Record a restore drill: its measured duration is judged against the policy's RTO.") { policy, status, started, duration, finished, log };
        server.AddTo(drill);
        drill.SetAction((parse, cancellationToken) =>
        {
            var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["status"] = parse.GetValue(status),
                ["started_at"] = parse.GetValue(started),
                ["duration"] = parse.GetValue(duration),
                ["finished_at"] = parse.GetValue(finished),
                ["log"] = parse.GetValue(log),
            });
            var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            var path = $"/api/backups/policies/{Uri.EscapeDataString(parse.GetValue(policy)!)}/drills";
            return MonitorCommand.CallAsync(parse, server, HttpMethod.Post, path, cancellationToken, (r, output) =>
            {
                var within = r.GetProperty("within_rto");
                var verdict = within.ValueKind == System.Text.Json.JsonValueKind.Null ? "no RTO to judge it by"
                    : within.GetBoolean() ? $"within the RTO of {r.GetProperty("rto").GetString()}" : $"RTO BREACH: longer than the RTO of {r.GetProperty("rto").GetString()}";
                output.WriteLine($"recorded restore drill ({r.GetProperty("report").GetProperty("status").GetString()}) for {parse.GetValue(policy)}: took {r.GetProperty("duration").GetString()}, {verdict}");
                return ExitCodes.Ok;
            }, content);
        });
        return drill;
    }

    private static Command RestoreVerb()
    {
        var from = new Argument<string>("FROM") { Description = "A backup: the directory or .tar file vigil backup create wrote." };
        var data = new Option<string>("--data") { Description = "The data directory to create (vigil serve --data DIR).", Required = true };
        var database = new Option<string?>("--database") { Description = "For a PostgreSQL backup: the postgres:// URL of the (empty) database to restore into (env VIGIL_DATABASE)." };
        var force = new Option<bool>("--force") { Description = "Restore into a non-empty data directory (or database), replacing what is there." };
        var restore = new Command("restore", "Make a data directory (and database) from a backup.") { from, data, database, force };
        restore.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var request = new RestoreVigilBackup.Request(parse.GetValue(from)!, parse.GetValue(data)!, parse.GetValue(database), parse.GetValue(force));
            try
            {
                var (restored, refused) = await RestoreVigilBackup.RunAsync(request, cancellationToken);
                if (restored is null)
                {
                    await error.WriteLineAsync($"vigil: {refused}");
                    return ExitCodes.Failed;
                }
                var config = File.Exists(Path.Combine(request.DataDirectory, "vigil.yaml")) ? $" --config {Path.Combine(request.DataDirectory, "vigil.yaml")}" : "";
                var db = restored.Database == "postgres" ? " --database URL" : "";
                await output.WriteLineAsync($"restored the backup taken at {restored.CreatedAt:O} ({restored.Database}) into {request.DataDirectory}; start it with: vigil serve --data {request.DataDirectory}{db}{config}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or InvalidDataException)
            {
                await error.WriteLineAsync($"vigil: restore failed: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return restore;
    }
}
