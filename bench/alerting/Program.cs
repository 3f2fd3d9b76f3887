using System.Diagnostics;
using System.Globalization;
using Vigil.Features.Alerting.Evaluation;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage.Tsdb;

// Rule evaluation at scale: 1,000 alerting rules (10 groups of 100) over 100,000 series in the
// embedded TSDB, evaluated every 15 s of store time. Each rule is the seeds' error-rate alert for
// one of 100 services: sum by (service) (rate(5xx[5m])) / sum by (service) (rate(all[5m])) > t,
// so each rule reads 1,000 series. Prints the time of each evaluation round (all 1,000 rules).
// Usage: dotnet run -c Release --project bench/alerting [rounds]
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
const int Services = 100, Instances = 100, Statuses = 10, Groups = 10, RulesPerGroup = 100;
const long Step = 15_000;
var statuses = new[] { "200", "201", "204", "301", "400", "404", "429", "500", "502", "503" };
var directory = Path.Combine(Path.GetTempPath(), $"vigil-alerting-bench-{Guid.NewGuid():N}");
var clock = TimeProvider.System;
var start = clock.GetUtcNow().ToUnixTimeMilliseconds() / Step * Step - (30 * Step);
await using var store = TsdbStore.Open(directory, new TsdbOptions { TimeProvider = clock });

var series = new List<Labels>();
for (var s = 0; s < Services; s++)
{
    for (var i = 0; i < Instances; i++)
    {
        foreach (var status in statuses)
        {
            series.Add(Labels.Of("__name__", "http_requests_total", "service", $"svc-{s}", "instance", $"host-{i}:8080", "status", status));
        }
    }
}
Console.WriteLine($"series: {series.Count:N0}");

var loading = Stopwatch.StartNew();
async Task ScrapeAsync(int scrape)
{
    var appender = store.Appender();
    for (var k = 0; k < series.Count; k++)
    {
        // 5xx grow at a rate that varies by service, so some rules fire and some do not.
        var grow = k % Statuses >= 7 ? (k / (Instances * Statuses)) % 10 : 20;
        appender.Append(series[k], start + (scrape * Step), (double)scrape * grow);
    }
    await appender.CommitAsync();
}
for (var scrape = 0; scrape < 21; scrape++)
{
    await ScrapeAsync(scrape);
}
Console.WriteLine($"loaded 21 scrapes ({21 * series.Count:N0} samples) in {loading.Elapsed.TotalSeconds:F1} s");

var groups = new List<RuleGroup>();
for (var g = 0; g < Groups; g++)
{
    var rules = new List<Rule>();
    for (var r = 0; r < RulesPerGroup; r++)
    {
        var index = (g * RulesPerGroup) + r;
        var service = $"svc-{index % Services}";
        var threshold = 0.01 * (1 + (index / Services));
        var text = $"sum by (service) (rate(http_requests_total{{service=\"{service}\",status=~\"5..\"}}[5m])) / sum by (service) (rate(http_requests_total{{service=\"{service}\"}}[5m])) > {threshold.ToString(CultureInfo.InvariantCulture)}";
        rules.Add(new Rule($"HighErrorRate{index}", null, text, PromQLParser.Parse(text), TimeSpan.FromMinutes(1), TimeSpan.Zero,
            [new("severity", "critical")], [new("summary", "{{ $labels.service }} error rate {{ $value | humanizePercentage }}")]));
    }
    groups.Add(new RuleGroup($"group-{g}", "bench.yml", TimeSpan.FromSeconds(15), rules));
}
var engine = new PromQLEngine();
var evaluators = groups.Select(g => new RuleGroupEvaluator(g, store, engine, Labels.Empty, "http://vigil")).ToList();

var times = new List<double>();
var cpuTimes = new List<double>();
using var self = Process.GetCurrentProcess();
var scrapeNo = 21;
for (var round = 0; round < rounds; round++)
{
    await ScrapeAsync(scrapeNo);
    var at = start + (scrapeNo * Step);
    scrapeNo++;
    self.Refresh();
    var cpuBefore = self.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var sent = 0;
    var errors = 0;
    foreach (var evaluator in evaluators)
    {
        errors += (await evaluator.EvaluateAsync(at)).Count;
        foreach (var state in evaluator.AlertStates)
        {
            sent += SendAlerts.Select(state, at, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15), Labels.Empty, "").Count;
        }
    }
    var elapsed = watch.Elapsed.TotalMilliseconds;
    self.Refresh();
    var cpu = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
    times.Add(elapsed);
    cpuTimes.Add(cpu);
    var active = evaluators.SelectMany(e => e.AlertStates).SelectMany(s => s.Alerts).GroupBy(a => a.Phase).ToDictionary(x => x.Key, x => x.Count());
    Console.WriteLine($"round {round + 1}: {elapsed:F0} ms (CPU {cpu:F0} ms), {errors} errors, alerts {string.Join(", ", active.Select(kv => $"{kv.Key.ToString().ToLowerInvariant()} {kv.Value}"))}, sent {sent}");
}
times.Sort();
cpuTimes.Sort();
Console.WriteLine($"evaluation round (1,000 rules): p50 {times[times.Count / 2]:F0} ms, p90 {times[(int)(times.Count * 0.9)]:F0} ms, max {times[^1]:F0} ms over {times.Count} rounds; budget 15,000 ms");
// CPU time of the process (all threads, GC included) is steadier than wall time on a shared machine.
Console.WriteLine($"CPU per round: p50 {cpuTimes[cpuTimes.Count / 2]:F0} ms, max {cpuTimes[^1]:F0} ms");
Console.WriteLine($"process: {Environment.ProcessorCount} cores, GC heap {GC.GetTotalMemory(false) / (1024 * 1024)} MiB, working set {Environment.WorkingSet / (1024 * 1024)} MiB");
try
{
    Directory.Delete(directory, recursive: true);
}
catch (IOException)
{
}
