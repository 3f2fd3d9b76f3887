using System.CommandLine;
using Vigil.Configuration;
using Vigil.Features.Runbooks;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil runbook check [PATH...]</c>: validates runbook files (or directories of them) against the
/// template, printing each problem as <c>file:line:column: reason</c>; exit 0 when all pass, 1 when
/// any fails, 2 when the configuration that holds the allow-list cannot be read.
/// </summary>
public static class RunbookCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Runbook files or directories (default: the configuration's runbooks directory).", Arity = ArgumentArity.ZeroOrMore };
        var config = new Option<string?>("--config") { Description = "The vigil.yaml whose runbooks section holds the allowed commands and URLs (env VIGIL_CONFIG; default ./vigil.yaml if present)." };
        var check = new Command("check", "Check runbooks: front matter, required sections, steps with verification, allowed actions.") { paths, config };
        check.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var configPath = CliRunner.Resolve(parse.GetValue(config), "VIGIL_CONFIG", File.Exists("vigil.yaml") ? "vigil.yaml" : null);
            var settings = new RunbookSettings();
            if (configPath is not null)
            {
                var loaded = ConfigLoader.Load(configPath);
                // The runbooks themselves are checked below; any other problem means the allow-list is not known.
                var other = loaded.Errors.Where(e => !e.File.EndsWith(".md", StringComparison.Ordinal)).ToList();
                if (other.Count > 0)
                {
                    foreach (var e in other)
                    {
                        error.WriteLine(e.ToString());
                    }
                    error.WriteLine($"vigil: {configPath} is invalid; fix it first (vigil config check)");
                    return ExitCodes.Usage;
                }
                settings = loaded.Config.Runbooks;
            }
            var given = parse.GetValue(paths) is { Length: > 0 } list ? list
                : configPath is not null ? [LoadRunbooks.DirectoryOf(settings, configPath)]
                : [RunbookSettings.DefaultDirectory];
            foreach (var path in given.Where(p => !File.Exists(p) && !Directory.Exists(p)))
            {
                error.WriteLine($"vigil: {path}: no such file or directory");
                return ExitCodes.Failed;
            }
            var (runbooks, errors) = LoadRunbooks.LoadPaths(given, settings);
            foreach (var e in errors)
            {
                error.WriteLine(e.ToString());
            }
            foreach (var runbook in runbooks)
            {
                output.WriteLine($"{runbook.File}: OK ({runbook.Title}, risk {runbook.Risk}, {runbook.Steps.Count} step{(runbook.Steps.Count == 1 ? "" : "s")})");
            }
            if (errors.Count > 0)
            {
                error.WriteLine($"{errors.Count} error{(errors.Count == 1 ? "" : "s")} in runbooks");
                return ExitCodes.Failed;
            }
            return ExitCodes.Ok;
        });
        return new Command("runbook", "Work with runbooks.") { check };
    }
}
