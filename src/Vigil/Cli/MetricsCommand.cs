using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using Vigil.Metrics;
using Vigil.Metrics.Exposition;
using Vigil.Metrics.RemoteWrite;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil metrics import FILE</c>: backfills history from an OpenMetrics text file (samples with
/// timestamps, as <c>promtool tsdb create-blocks-from openmetrics</c> takes) into a running server,
/// in remote-write batches, so imported samples take the same path as live ones.
/// </summary>
public static class MetricsCommand
{
    private const int BatchSamples = 10_000;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "OpenMetrics text file ending with # EOF; every sample needs a timestamp." };
        var server = new ServerClient();
        var import = new Command("import", "Backfill samples from an OpenMetrics file into a Vigil server.") { file };
        server.AddTo(import);
        import.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await error.WriteLineAsync($"vigil: {path}: no such file");
                return ExitCodes.Failed;
            }
            ExpositionResult parsed;
            try
            {
                parsed = ExpositionParser.Parse(await File.ReadAllBytesAsync(path.FullName, cancellationToken), ExpositionFormat.OpenMetrics);
            }
            catch (ExpositionException e)
            {
                await error.WriteLineAsync($"{path}:{e.Line}: {e.Reason}");
                return ExitCodes.Failed;
            }
            if (parsed.Samples.Any(s => s.TimestampMs is null))
            {
                var untimed = parsed.Samples.First(s => s.TimestampMs is null);
                await error.WriteLineAsync($"{path}: sample {untimed.Labels} has no timestamp; an import needs one on every sample");
                return ExitCodes.Failed;
            }
            var (client, usage) = server.Connect(parse);
            if (client is null)
            {
                await error.WriteLineAsync($"vigil: {usage}");
                return ExitCodes.Usage;
            }
            using var http = client;
            var sent = 0;
            foreach (var batch in parsed.Samples.Chunk(BatchSamples))
            {
                var series = batch.GroupBy(s => s.Labels)
                    .Select(g => new TimeSeries(g.Key, [.. g.Select(s => new Sample(s.TimestampMs!.Value, s.Value)).OrderBy(s => s.TimestampMs)]))
                    .ToList();
                using var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(series, [])));
                content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteEncoder.ContentType);
                content.Headers.ContentEncoding.Add("snappy");
                content.Headers.Add("X-Prometheus-Remote-Write-Version", RemoteWriteEncoder.VersionHeader);
                using var response = await http.PostAsync("/prometheus/api/v1/write", content, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    await error.WriteLineAsync($"vigil: server refused the batch after {sent} samples: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    return ExitCodes.Failed;
                }
                sent += batch.Length;
            }
            await output.WriteLineAsync($"imported {sent} samples of {parsed.Samples.Select(s => s.Labels).Distinct().Count()} series from {path}");
            return ExitCodes.Ok;
        });
        return new Command("metrics", "Work with the metrics store.") { import, Check() };
    }

    /// <summary>
    /// <c>vigil metrics check DATA</c>: verifies the embedded store's WAL and blocks offline, changing
    /// nothing; exit 0 when clean, 1 naming each damaged file and offset. DATA is the data directory
    /// (its <c>metrics/</c> is checked) or the metrics directory itself.
    /// </summary>
    private static Command Check()
    {
        var data = new Argument<DirectoryInfo>("DATA") { Description = "The data directory (vigil serve --data), or its metrics/ directory." };
        var check = new Command("check", "Verify the metrics store's write-ahead log and blocks offline (changes nothing).") { data };
        check.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var dir = parse.GetValue(data)!;
            var metrics = Directory.Exists(Path.Combine(dir.FullName, "metrics")) ? Path.Combine(dir.FullName, "metrics") : dir.FullName;
            if (!Directory.Exists(Path.Combine(metrics, "wal")) && !Directory.Exists(Path.Combine(metrics, "blocks")))
            {
                await error.WriteLineAsync($"vigil: {dir}: no metrics store here (expected wal/ or blocks/ in it or in its metrics/)");
                return ExitCodes.Usage;
            }
            var report = await Task.Run(() => Metrics.Storage.Tsdb.TsdbCheck.Run(metrics), cancellationToken);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"checked {metrics}: {report.Segments} WAL segment(s) and {report.Checkpoints} checkpoint(s), {report.Records:N0} records; {report.Blocks} block(s), {report.Series:N0} series, {report.Chunks:N0} chunks"));
            foreach (var note in report.Notes)
            {
                await output.WriteLineAsync($"note: {note}");
            }
            foreach (var damage in report.Damage)
            {
                await error.WriteLineAsync($"damaged: {damage}");
            }
            await output.WriteLineAsync(report.Clean ? "ok: no damage found" : $"{report.Damage.Count} damaged place(s): start the server to set them aside (kept, never deleted), or restore from a backup");
            return report.Clean ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return check;
    }
}
