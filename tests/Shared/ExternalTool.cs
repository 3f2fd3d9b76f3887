using System.Diagnostics;

namespace Vigil.Tests.Support;

/// <summary>
/// Runs a real command-line client (Debian's amtool, promtool) as a child process against a test
/// server on loopback: UTC time zone, a HOME of its own (so no user config is read), a time limit.
/// </summary>
public static class ExternalTool
{
    public sealed record Run(int Exit, string Output, string Error)
    {
        public override string ToString() => $"exit {Exit}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    public static async Task<Run> RunAsync(string path, string home, params string[] args)
    {
        Assert.True(File.Exists(path), $"{path} not found: scripts/test.sh installs it (Debian packages prometheus and prometheus-alertmanager)");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["TZ"] = "UTC";
        start.Environment["HOME"] = home;
        start.Environment["USER"] = "operator";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{path} {string.Join(' ', args)} did not finish in 60 s");
        }
        return new Run(process.ExitCode, await output, await error);
    }
}
