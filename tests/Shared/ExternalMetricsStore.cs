using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Vigil.Tests.Support;

/// <summary>
/// A real Prometheus-compatible store from Debian's packages, run as a child process on a loopback
/// port with a data directory of its own: <c>victoria-metrics</c> or <c>prometheus</c> 2.42 with
/// its remote-write receiver. It can be stopped and started again on the same port and directory.
/// </summary>
public sealed class ExternalMetricsStore : IAsyncDisposable
{
    private readonly string binary;
    private readonly Func<int, string, string[]> arguments;
    private readonly string dataDirectory;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Process? process;

    private ExternalMetricsStore(string binary, Func<int, string, string[]> arguments, string writePath)
    {
        this.binary = binary;
        this.arguments = arguments;
        Port = LoopbackPorts.Free();
        dataDirectory = Path.Combine(Path.GetTempPath(), $"vigil-store-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        BaseUrl = $"http://127.0.0.1:{Port}";
        WriteUrl = BaseUrl + writePath;
    }

    public int Port { get; }

    public string BaseUrl { get; }

    public string WriteUrl { get; }

    /// <summary>victoria-metrics, keeping samples for 100 years (the tests' clock is in the past), with its caches off so a query sees every write.</summary>
    public static Task<ExternalMetricsStore> VictoriaMetricsAsync(bool start = true) => StartAsync(new ExternalMetricsStore(
        "/usr/bin/victoria-metrics",
        (port, dir) => [$"-httpListenAddr=127.0.0.1:{port}", $"-storageDataPath={dir}", "-retentionPeriod=100y", "-search.disableCache", "-search.latencyOffset=0s", "-loggerLevel=ERROR"],
        "/api/v1/write"), start);

    /// <summary>prometheus 2.42 with <c>--web.enable-remote-write-receiver</c> and an empty configuration.</summary>
    public static Task<ExternalMetricsStore> PrometheusAsync(bool start = true) => StartAsync(new ExternalMetricsStore(
        "/usr/bin/prometheus",
        (port, dir) =>
        {
            var config = Path.Combine(dir, "prometheus.yml");
            File.WriteAllText(config, "global: {}\n");
            return [$"--config.file={config}", $"--web.listen-address=127.0.0.1:{port}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", "--web.enable-remote-write-receiver", "--log.level=error"];
        },
        "/api/v1/write"), start);

    private static async Task<ExternalMetricsStore> StartAsync(ExternalMetricsStore store, bool start)
    {
        Assert.True(File.Exists(store.binary), $"{store.binary} not found: scripts/test.sh installs it (Debian packages victoria-metrics and prometheus)");
        if (start)
        {
            await store.StartAsync();
        }
        return store;
    }

    /// <summary>Starts the process and waits (real time, bounded) until it answers.</summary>
    public async Task StartAsync()
    {
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments(Port, dataDirectory))
        {
            info.ArgumentList.Add(a);
        }
        process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var response = await http.GetAsync(BaseUrl + "/api/v1/query?query=1");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            Assert.False(process.HasExited, $"{binary} exited with {(process.HasExited ? process.ExitCode : 0)}");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
        throw new TimeoutException($"{binary} did not answer on {BaseUrl} within 30 s");
    }

    /// <summary>
    /// Stops the process with SIGTERM and waits for it to exit (SIGKILL after 30 s). Not SIGKILL:
    /// victoria-metrics keeps the last seconds of writes in memory and a SIGKILL loses them even
    /// after it acknowledged them; that is its durability, not Vigil's, which is what is tested.
    /// </summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false } p)
        {
            using (var kill = Process.Start("/bin/kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
        }
        process?.Dispose();
        process = null;
    }

    /// <summary>Runs an instant query at <paramref name="time"/> and returns <c>data.result</c>.</summary>
    public async Task<JsonElement> QueryAsync(string query, DateTimeOffset time)
    {
        var seconds = (time.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture);
        var answer = await http.GetFromJsonAsync<JsonElement>($"{BaseUrl}/api/v1/query?query={Uri.EscapeDataString(query)}&time={seconds}");
        return answer.GetProperty("data").GetProperty("result");
    }

    /// <summary>The number the query returns (its first series' value), or 0 when it returns nothing.</summary>
    public async Task<double> NumberAsync(string query, DateTimeOffset time)
    {
        var result = await QueryAsync(query, time);
        return result.GetArrayLength() == 0 ? 0 : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        http.Dispose();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
