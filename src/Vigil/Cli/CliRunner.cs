using System.CommandLine;

namespace Vigil.Cli;

/// <summary>Exit codes scripts can rely on: 0 ok, 1 a check failed, 2 the command line was wrong.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
}

public static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await configuration.Error.WriteLineAsync($"vigil: {e.Message}");
            }
            await configuration.Error.WriteLineAsync("Run 'vigil --help' for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(configuration);
    }

    /// <summary>The first of: the flag, the environment variable, the fallback.</summary>
    public static string? Resolve(string? flag, string variable, string? fallback) =>
        !string.IsNullOrEmpty(flag) ? flag
        : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } env ? env
        : fallback;
}
