using System.Diagnostics;
using System.Text;

namespace Vigil.Tests.Support;

/// <summary>
/// <c>vigil serve</c> as a separate process (the built <c>vigil.dll</c> next to the tests), for what
/// only a real process shows: signals (SIGHUP reload, SIGTERM shutdown) and crashes (SIGKILL).
/// Listens on a free loopback port; its output is kept for failure messages.
/// </summary>
public sealed class ChildProcessServer : IAsyncDisposable
{
    private readonly StringBuilder log = new();
    private Process? process;
    private bool authenticated;
    private bool administratorReady;

    /// <param name="database">A <c>postgres://</c> URL shared by several replicas, or null for SQLite in the data directory.</param>
    public ChildProcessServer(string dataDirectory, string? configPath = null, string? database = null)
    {
        DataDirectory = dataDirectory;
        ConfigPath = configPath;
        Database = database;
        Port = LoopbackPorts.Free();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string DataDirectory { get; }
    public string? ConfigPath { get; }
    public string? Database { get; }
    public int Port { get; }
    public HttpClient Http { get; }
    public int Pid => process?.Id ?? 0;

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the process and waits until <c>/health</c> answers (or the process dies). When the data
    /// directory is new it creates the test super_admin with <c>vigil admin create</c> beforehand, and afterwards
    /// signs in through the sign-in form and gives <see cref="Http"/> an API token, as an operator would.
    /// </summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (Database is null ? !File.Exists(Path.Combine(DataDirectory, "vigil.db")) : !administratorReady)
        {
            await CreateAdministratorAsync();
        }
        administratorReady = true;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vigil.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{Port}");
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(DataDirectory);
        if (Database is not null)
        {
            start.ArgumentList.Add("--database");
            start.ArgumentList.Add(Database);
        }
        if (ConfigPath is not null)
        {
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(ConfigPath);
        }
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        var limit = Patience.Of(timeout ?? TimeSpan.FromSeconds(30));
        while (deadline.Elapsed < limit)
        {
            if (process.HasExited)
            {
                // HasExited can be true before the redirected output is read to its end; this waits for that.
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"vigil exited with {process.ExitCode} before answering:\n{Log}");
            }
            try
            {
                using var response = await Http.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                {
                    if (!authenticated)
                    {
                        await AuthenticateAsync();
                    }
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but still starting on a loaded machine: ask again until the deadline.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
        throw new TimeoutException($"vigil did not answer /health within {limit}:\n{Log}");
    }

    private async Task CreateAdministratorAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "vigil.dll"), "admin", "create", "--username", TestServer.AdminUsername, "--password-stdin", "--data", DataDirectory })
        {
            start.ArgumentList.Add(argument);
        }
        if (Database is not null)
        {
            start.ArgumentList.Add("--database");
            start.ArgumentList.Add(Database);
        }
        using var admin = Process.Start(start)!;
        await admin.StandardInput.WriteLineAsync(TestServer.AdminPassword);
        admin.StandardInput.Close();
        var output = admin.StandardOutput.ReadToEndAsync();
        var error = admin.StandardError.ReadToEndAsync();
        await admin.WaitForExitAsync();
        // Replicas share one database: the second one finds the administrator there.
        if (admin.ExitCode != 0 && !(Database is not null && (await output + await error).Contains("already exists", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"vigil admin create exited with {admin.ExitCode}: {await output}{await error}");
        }
    }

    private async Task AuthenticateAsync()
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = Http.BaseAddress };
        using var signIn = await TestServer.PostSignInFormAsync(browser, TestServer.AdminUsername, TestServer.AdminPassword);
        if (signIn.StatusCode != System.Net.HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"sign-in answered {(int)signIn.StatusCode}:\n{Log}");
        }
        var token = await TestServer.CreateTokenAsync(browser, "child-process-tests", "super_admin");
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);
        authenticated = true;
    }

    /// <summary>Sends a POSIX signal by name (HUP, TERM, KILL) with the system's <c>kill</c>.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(Patience.Of(timeout));
        await process!.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    /// <summary>Polls until <paramref name="condition"/> holds: for effects of a signal, which has no reply to wait on.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        timeout = Patience.Of(timeout);
        var clock = Stopwatch.StartNew();
        // 50 ms at first, doubling to 1 s: a slow effect on a loaded machine must not run the
        // condition's requests into the API rate limit (100 per minute per client).
        var pause = TimeSpan.FromMilliseconds(50);
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"condition not met within {timeout}:\n{Log}");
            }
            await Task.Delay(pause, TimeProvider.System);
            pause = TimeSpan.FromMilliseconds(Math.Min(1000, pause.TotalMilliseconds * 2));
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process?.Dispose();
    }

}
