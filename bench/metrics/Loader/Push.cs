using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;

namespace Vigil.Bench.Metrics;

internal static class Push
{
    public static async Task<int> RunAsync(HttpClient http, string baseUrl, Dataset dataset, long startMs, int steps, long stepMs,
        int senders, int batch, int windowSteps)
    {
        var url = baseUrl + "/api/v1/write";
        var slices = Enumerable.Range(0, senders)
            .Select(j => (From: dataset.Series.Length * j / senders, To: dataset.Series.Length * (j + 1) / senders))
            .ToArray();
        long samples = 0, requests = 0, bytes = 0, failures = 0;
        string? firstFailure = null;
        var sending = new Stopwatch();
        var encoding = Stopwatch.StartNew();
        encoding.Stop();
        for (var w = 0; w < steps; w += windowSteps)
        {
            var last = Math.Min(steps, w + windowSteps);
            encoding.Start();
            var bodies = new List<byte[]>[senders];
            Parallel.For(0, senders, j => bodies[j] = Encode(dataset, slices[j].From, slices[j].To, w, last, startMs, stepMs, batch));
            encoding.Stop();
            bytes += bodies.Sum(b => b.Sum(x => (long)x.Length));
            requests += bodies.Sum(b => b.Count);
            samples += (long)dataset.Series.Length * (last - w);
            sending.Start();
            await Task.WhenAll(Enumerable.Range(0, senders).Select(async j =>
            {
                foreach (var body in bodies[j])
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteEncoder.ContentType);
                    content.Headers.ContentEncoding.Add("snappy");
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
                    request.Headers.Add("X-Prometheus-Remote-Write-Version", RemoteWriteEncoder.VersionHeader);
                    using var response = await http.SendAsync(request);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failures);
                        var text = await response.Content.ReadAsStringAsync();
                        Interlocked.CompareExchange(ref firstFailure, $"{(int)response.StatusCode}: {text.Trim()}", null);
                    }
                }
            }));
            sending.Stop();
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            dataset = dataset.Name,
            series = dataset.Series.Length,
            samples,
            requests,
            body_bytes = bytes,
            senders,
            batch,
            encode_seconds = encoding.Elapsed.TotalSeconds,
            send_seconds = sending.Elapsed.TotalSeconds,
            samples_per_second = samples / sending.Elapsed.TotalSeconds,
            failures,
            first_failure = firstFailure,
        }));
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Bodies for series [from, to) over steps [first, last): step by step, BATCH series a body.</summary>
    private static List<byte[]> Encode(Dataset dataset, int from, int to, int first, int last, long startMs, long stepMs, int batch)
    {
        var bodies = new List<byte[]>();
        var entries = new List<TimeSeries>(batch);
        for (var step = first; step < last; step++)
        {
            var t = startMs + step * stepMs;
            for (var s = from; s < to; s++)
            {
                entries.Add(new TimeSeries(dataset.Series[s], [new Sample(t, dataset.Value(s, step))]));
                if (entries.Count == batch)
                {
                    bodies.Add(RemoteWriteEncoder.Encode(new WriteRequest(entries, [])));
                    entries.Clear();
                }
            }
        }
        if (entries.Count > 0)
        {
            bodies.Add(RemoteWriteEncoder.Encode(new WriteRequest(entries, [])));
        }
        return bodies;
    }
}
