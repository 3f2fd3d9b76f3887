using System.Net;
using Vigil.Bench.Metrics;

// The metrics benchmark's load generator (bench/metrics/run.sh drives it). BASE is the URL under
// which /api/v1/... lives: http://127.0.0.1:PORT for Prometheus, http://127.0.0.1:PORT/prometheus
// for Vigil. TOKEN is a bearer token, or "-" for none. Each command prints one JSON object.
//
//   push  BASE TOKEN DATASET START_MS STEPS STEP_MS SENDERS BATCH WINDOW_STEPS
//         DATASET is "ingest:SERIES", "warmup:SERIES" (the same shape under job="warmup") or "query". Sends STEPS samples of every series, oldest first,
//         BATCH samples a request (one per series entry, as Prometheus sends them), SENDERS
//         concurrent senders that each own a slice of the series (so each series stays in order).
//         Bodies of WINDOW_STEPS steps are encoded before they are sent; only sending is timed.
//   query BASE TOKEN [BASE2 TOKEN2 ...] END_MS REPS
//         Runs the fixed query set, instant at END and over the hour before END, REPS times each,
//         alternating between the systems given; prints one array of results per system.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Loader push|query BASE TOKEN ...");
    return 2;
}
var baseUrl = args[1].TrimEnd('/');
var token = args[2] == "-" ? null : args[2];
using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = 256,
    AutomaticDecompression = DecompressionMethods.None,
    PooledConnectionLifetime = TimeSpan.FromMinutes(30),
})
{ Timeout = TimeSpan.FromMinutes(5) };
if (token is not null)
{
    http.DefaultRequestHeaders.Authorization = new("Bearer", token);
}
switch (args[0])
{
    case "push":
        var dataset = args[3].Split(':') switch
        {
            ["query"] => Dataset.Query(),
            ["ingest", var n] => Dataset.Ingest(int.Parse(n)),
            ["warmup", var n] => Dataset.Ingest(int.Parse(n), "warmup"),
            _ => throw new ArgumentException($"unknown data set {args[3]}"),
        };
        return await Push.RunAsync(http, baseUrl, dataset, long.Parse(args[4]), int.Parse(args[5]), long.Parse(args[6]),
            int.Parse(args[7]), int.Parse(args[8]), int.Parse(args[9]));
    case "query":
        var systems = new List<(string, string?)>();
        for (var i = 1; i + 3 < args.Length; i += 2)
        {
            systems.Add((args[i].TrimEnd('/'), args[i + 1] == "-" ? null : args[i + 1]));
        }
        return await Queries.RunAsync(http, systems, long.Parse(args[^2]), int.Parse(args[^1]));
    default:
        Console.Error.WriteLine($"unknown command {args[0]}");
        return 2;
}
