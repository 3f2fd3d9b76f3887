using System.Diagnostics;
using System.Text;

namespace Vigil.Features.Runbooks;

/// <summary>What an automated step did: the HTTP status or exit code (null when it could not run), its output, and whether it succeeded.</summary>
public sealed record ActionResult(int? Code, string Output, bool Succeeded);

/// <summary>
/// Runs a step's automated action, only if the allow-list in force still names it: an HTTP call
/// (through the outbound policy's connector, no redirects, <see cref="Timeout"/>, the response body
/// cut at <see cref="OutputLimit"/>) or a command of <c>runbooks.commands</c> (started directly,
/// no shell, its arguments as configured, killed with its children after <see cref="Timeout"/>,
/// stdout and stderr cut at <see cref="OutputLimit"/>). A 2xx answer or exit code 0 is success.
/// </summary>
public sealed class RunbookActions(IHttpClientFactory clients, RunbookCatalog catalog)
{
    public const string HttpClientName = "runbook-actions";
    public const int OutputLimit = 64 * 1024;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task<ActionResult> RunAsync(RunbookRunStep step, CancellationToken cancellationToken)
    {
        var settings = catalog.Settings;
        try
        {
            switch (step.ActionKind)
            {
                case RunbookActionKind.Http:
                    if (!Uri.TryCreate(step.ActionTarget, UriKind.Absolute, out var url) || !ParseRunbook.IsAllowed(url, settings.Http))
                    {
                        return new ActionResult(null, $"{step.ActionTarget} is no longer under any URL of runbooks.http; not called", false);
                    }
                    return await CallAsync(step.ActionMethod ?? "POST", url, cancellationToken);
                case RunbookActionKind.Command:
                    if (settings.Commands.FirstOrDefault(c => c.Name == step.ActionTarget) is not { Run.Count: > 0 } command)
                    {
                        return new ActionResult(null, $"command \"{step.ActionTarget}\" is no longer in runbooks.commands; not run", false);
                    }
                    return await StartAsync(command.Run, cancellationToken);
                default:
                    return new ActionResult(null, "the step has no automated action", false);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.ComponentModel.Win32Exception or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            return new ActionResult(null, e is OperationCanceledException ? $"timed out after {Timeout.TotalSeconds:0} s" : e.Message, false);
        }
    }

    private async Task<ActionResult> CallAsync(string method, Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.UserAgent.ParseAdd("Vigil-Runbook");
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var buffer = new byte[OutputLimit + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), timeout.Token)) > 0)
        {
            read += n;
        }
        var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(read, OutputLimit));
        return new ActionResult((int)response.StatusCode, Truncated(text, read > OutputLimit), response.IsSuccessStatusCode);
    }

    private static async Task<ActionResult> StartAsync(IReadOnlyList<string> run, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(run[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in run.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{run[0]} did not start");
        process.StandardInput.Close();
        var output = new Capped();
        var stdout = output.PumpAsync(process.StandardOutput);
        var stderr = output.PumpAsync(process.StandardError);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAll(stdout, stderr);
            return new ActionResult(null, output.Text + $"\n[killed after {Timeout.TotalSeconds:0} s]", false);
        }
        try
        {
            // A child the command left running may hold the pipes open; its output is not waited for long.
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }
        return new ActionResult(process.ExitCode, output.Text, process.ExitCode == 0);
    }

    private static string Truncated(string text, bool cut) => cut ? text + $"\n[output cut at {OutputLimit / 1024} KiB]" : text;

    /// <summary>stdout and stderr interleaved as they arrive, up to <see cref="OutputLimit"/> characters; the rest is read and dropped.</summary>
    private sealed class Capped
    {
        private readonly StringBuilder text = new();
        private bool cut;

        public string Text
        {
            get
            {
                lock (text)
                {
                    return Truncated(text.ToString(), cut);
                }
            }
        }

        public async Task PumpAsync(StreamReader reader)
        {
            var buffer = new char[4096];
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
            {
                lock (text)
                {
                    var room = OutputLimit - text.Length;
                    text.Append(buffer, 0, Math.Min(room, n));
                    cut |= n > room;
                }
            }
        }
    }
}
