using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vigil.Configuration;
using Vigil.Hosting;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

// The soak (issue 24): a whole Vigil server on SQLite runs DAYS simulated days on a fake clock,
// moved STEP seconds at a time, with HTTP monitors against a loopback target that fails on a
// schedule, monitor rules, a PromQL rule, routing to a loopback webhook, incidents paging through
// an escalation policy and a schedule, and a retention of 7 days for metrics and for history. Monitors are checked every
// max(60 s, STEP). Every 12 simulated hours
// it records the managed heap (after a full GC), the working set, open file descriptors, threads,
// the database and the data directory, and the rows of each table; at the end it prints how each
// grew between day 10 (retention long applied) and the last day.
//
//   dotnet run -c Release --project bench/soak -- [DAYS=30] [STEP_SECONDS=60] [SETTLE_MS=25]
//
// SETTLE_MS is the real time given to what a step started before the clock moves on: a check
// still running at its next slot skips that slot, and one running while the clock passes its
// timeout times out, so too short a settle shows as fewer checks and more state changes.
var days = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
var step = TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60);
var settle = TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 25);
const int Monitors = 5;
// Each monitor is checked once a step (at least once a minute), so a step never holds two checks of one monitor.
var interval = (int)Math.Max(60, step.TotalSeconds);

var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));
long checks = 0, notifications = 0;

// Monitor 0 is down 5 minutes every 6 hours, monitor 1 for 20 minutes every third day at noon.
bool Down(int n)
{
    var t = clock.GetUtcNow();
    return n == 0 && t.Hour % 6 == 0 && t.Minute < 5 || n == 1 && t.DayOfYear % 3 == 0 && t.Hour == 12 && t.Minute < 20;
}

var targetBuilder = WebApplication.CreateSlimBuilder();
targetBuilder.WebHost.UseUrls("http://127.0.0.1:0");
targetBuilder.Logging.ClearProviders();
await using var target = targetBuilder.Build();
target.MapGet("/{n:int}", (int n) =>
{
    Interlocked.Increment(ref checks);
    return Down(n) ? Results.StatusCode(503) : Results.Text("fine");
});
target.MapPost("/hook", () =>
{
    Interlocked.Increment(ref notifications);
    return Results.Ok();
});
await target.StartAsync();
var targetUrl = target.Urls.First();

var data = Path.Combine(Path.GetTempPath(), $"vigil-soak-{Guid.NewGuid():N}");
Directory.CreateDirectory(data);
var configPath = Path.Combine(data, "vigil.yaml");
var monitors = string.Join("\n", Enumerable.Range(0, Monitors).Select(n =>
    $"  - {{name: web-{n}, type: http, service: web, url: \"{targetUrl}/{n}\", interval: {interval}s, retries: 0}}"));
await File.WriteAllTextAsync(configPath, $$"""
    services: [{name: web}]
    metrics: {retention: 7d}
    monitors:
    {{monitors}}
    alerting:
      evaluation_interval: 1m
      rules:
        - {name: WebFlapping, expr: 'changes(vigil_monitor_up[1h]) > 1', duration: immediate, severity: warning, service: web}
      monitor_rules: {enabled: true, severity: critical}
    routing:
      history_retention: 7d
      route:
        receiver: hook
        group_by: [alertname, service]
        group_wait: 10s
        group_interval: 1m
        repeat_interval: 4h
        routes:
          - {matchers: ['severity="critical"'], receiver: hook, open_incident: true}
    notifications: {history_retention: 7d}
    channels:
      - {name: hook, type: webhook, url: "{{targetUrl}}/hook"}
    schedules:
      - name: primary
        time_zone: Europe/Berlin
        layers: [{rotation: weekly, handoff: "mon 09:00", start: 2026-01-05, participants: [admin]}]
    escalation_policies:
      - name: default
        levels:
          - {targets: [{schedule: primary}], delay: 5m}
          - {targets: [{schedule: primary}]}
    incidents:
      escalation_policy: default
    """);
var loaded = ConfigLoader.Load(configPath);
if (!loaded.IsValid)
{
    loaded.Errors.ToList().ForEach(e => Console.Error.WriteLine(e));
    return 2;
}

var app = await VigilHost.StartAsync(new ServeOptions
{
    DataDirectory = data,
    Urls = "http://127.0.0.1:0",
    ConfigPath = configPath,
    Metrics = loaded.Config.Metrics,
    TimeProvider = clock,
});
var store = (TsdbStore)app.Services.GetRequiredService<ISampleStore>();
var database = Path.Combine(data, "vigil.db");

var samples = new List<Measurement>();
var wall = Stopwatch.StartNew();
Console.WriteLine("day\theap_MiB\tworking_set_MiB\tfds\tthreads\tdb_KiB\tdata_KiB\thead_series\tblocks\tchecks\tnotifications\twall_s");
var total = (long)(TimeSpan.FromDays(days) / step);
var perSample = (long)(TimeSpan.FromHours(12) / step);
for (long i = 0; i <= total; i++)
{
    if (i % perSample == 0)
    {
        var m = Measure(i * step);
        samples.Add(m);
        Console.WriteLine(string.Join('\t', m.Day.ToString("F1", CultureInfo.InvariantCulture), Mib(m.Heap), Mib(m.WorkingSet), m.Fds, m.Threads,
            m.DatabaseBytes >> 10, m.DataBytes >> 10, m.HeadSeries, m.Blocks, Interlocked.Read(ref checks), Interlocked.Read(ref notifications), (int)wall.Elapsed.TotalSeconds));
    }
    clock.Advance(step);
    // Real time for what the step started (checks, rule evaluation, dispatch, maintenance).
    await Task.Delay(settle, TimeProvider.System);
}

await app.StopAsync();
await app.DisposeAsync();
await target.StopAsync();

var from = samples.First(s => s.Day >= Math.Min(10, days / 3.0));
var last = samples[^1];
Console.WriteLine();
Console.WriteLine($"| figure | day {from.Day:F0} | day {last.Day:F0} | change |");
Console.WriteLine("|---|---|---|---|");
Row("managed heap after full GC (MiB)", Mib(from.Heap), Mib(last.Heap));
Row("working set (MiB)", Mib(from.WorkingSet), Mib(last.WorkingSet));
Row("open file descriptors", from.Fds, last.Fds);
Row("threads", from.Threads, last.Threads);
Row("SQLite database (KiB)", from.DatabaseBytes >> 10, last.DatabaseBytes >> 10);
Row("data directory (KiB)", from.DataBytes >> 10, last.DataBytes >> 10);
Row("metrics head series", from.HeadSeries, last.HeadSeries);
Row("metrics blocks", from.Blocks, last.Blocks);
Console.WriteLine();
Console.WriteLine("tables that grew between those days (rows):");
foreach (var (table, rows) in last.Rows.Where(r => r.Value > from.Rows.GetValueOrDefault(r.Key)).OrderByDescending(r => r.Value - from.Rows.GetValueOrDefault(r.Key)))
{
    Console.WriteLine($"  {table}: {from.Rows.GetValueOrDefault(table)} -> {rows} ({(rows - from.Rows.GetValueOrDefault(table)) / (last.Day - from.Day):F1}/day)");
}
Console.WriteLine($"checks {Interlocked.Read(ref checks)} (expected {Monitors * days * 86400 / interval}), notifications {Interlocked.Read(ref notifications)}, wall {wall.Elapsed.TotalMinutes:F1} min");
Directory.Delete(data, recursive: true);
return 0;

Measurement Measure(TimeSpan elapsed)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    using var process = Process.GetCurrentProcess();
    var stats = store.GetStats();
    return new Measurement(
        elapsed.TotalDays,
        GC.GetTotalMemory(forceFullCollection: false),
        process.WorkingSet64,
        Directory.GetFiles("/proc/self/fd").Length,
        process.Threads.Count,
        new[] { "", "-wal", "-shm" }.Sum(suffix => File.Exists(database + suffix) ? new FileInfo(database + suffix).Length : 0),
        new DirectoryInfo(data).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length),
        stats.HeadSeries,
        stats.Blocks,
        TableRows());
}

Dictionary<string, long> TableRows()
{
    using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
    connection.Open();
    var tables = new List<string>();
    using (var list = connection.CreateCommand())
    {
        list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
        using var reader = list.ExecuteReader();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }
    }
    var rows = new Dictionary<string, long>();
    foreach (var table in tables)
    {
        using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM \"{table}\"";
        rows[table] = (long)count.ExecuteScalar()!;
    }
    return rows;
}

static long Mib(long bytes) => bytes >> 20;

static void Row(string name, long from, long to) =>
    Console.WriteLine($"| {name} | {from} | {to} | {(from == 0 ? "–" : $"{(to - from) * 100.0 / from:+0.0;-0.0;0.0} %")} |");

internal sealed record Measurement(double Day, long Heap, long WorkingSet, int Fds, int Threads, long DatabaseBytes, long DataBytes, long HeadSeries, long Blocks, Dictionary<string, long> Rows);
