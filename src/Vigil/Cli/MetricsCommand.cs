using System.CommandLine;
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
        return new Command("metrics", "Work with the metrics store.") { import };
    }
}
