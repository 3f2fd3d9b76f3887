using System.CommandLine;
using Vigil.Configuration;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil config check FILE</c>: every error as <c>file:line:column: reason</c>; exit 0 when valid,
/// 1 when not. A valid file's short-form alert rules are printed with the PromQL each compiles to,
/// so the operator sees what is evaluated (and can paste it into /graph).
/// </summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The vigil.yaml to check." };
        var check = new Command("check", "Validate a configuration file without starting anything.") { file };
        check.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                error.WriteLine($"vigil: {path.FullName}: no such file");
                return ExitCodes.Failed;
            }
            var loaded = ConfigLoader.Load(path.ToString());
            foreach (var e in loaded.Errors)
            {
                error.WriteLine(e.ToString());
            }
            if (!loaded.IsValid)
            {
                error.WriteLine($"{loaded.Errors.Count} error{(loaded.Errors.Count == 1 ? "" : "s")} in {path}");
                return ExitCodes.Failed;
            }
            output.WriteLine($"{path}: OK ({loaded.Config.Services.Count} services)");
            var shortForm = loaded.Config.Alerting.LoadedGroups.FirstOrDefault(g => g.Name == Features.Alerting.Rules.LoadRuleGroups.ShortFormGroup);
            if (shortForm is { Rules.Count: > 0 })
            {
                output.WriteLine();
                output.WriteLine("Short-form alert rules (alerting.rules) and the PromQL they evaluate:");
                foreach (var rule in shortForm.Rules)
                {
                    var holdFor = rule.For > TimeSpan.Zero ? $" for {Duration.Format(rule.For)}" : "";
                    output.WriteLine($"  {rule.Alert}{holdFor}:");
                    output.WriteLine($"    {rule.ExprText}");
                }
            }
            return ExitCodes.Ok;
        });
        return new Command("config", "Work with configuration files.") { check };
    }
}
