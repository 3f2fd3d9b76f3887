using System.CommandLine;
using Vigil.Features.Alerting.Rules;
using Vigil.Features.Alerting.RuleTests;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil rules test FILE...</c> runs promtool-format rule unit tests; <c>vigil rules check FILE...</c>
/// validates rule files. Output and exit codes follow <c>promtool test rules</c> / <c>check rules</c>:
/// 0 when every file passes, 1 when any fails.
/// </summary>
public static class RulesCommand
{
    public static Command Create()
    {
        var testFiles = new Argument<string[]>("FILE") { Description = "Rule test files (promtool format).", Arity = ArgumentArity.OneOrMore };
        var test = new Command("test", "Run rule unit tests written for promtool, unchanged.") { testFiles };
        test.SetAction(async (parse, cancellationToken) =>
        {
            var failed = false;
            foreach (var file in parse.GetValue(testFiles)!)
            {
                var outcome = await RunRuleTests.RunFileAsync(file);
                await parse.InvocationConfiguration.Output.WriteAsync(outcome.Output);
                await parse.InvocationConfiguration.Error.WriteAsync(outcome.Errors);
                failed |= !outcome.Passed;
            }
            return failed ? ExitCodes.Failed : ExitCodes.Ok;
        });

        var checkFiles = new Argument<string[]>("FILE") { Description = "Prometheus rule files.", Arity = ArgumentArity.OneOrMore };
        var check = new Command("check", "Check Prometheus rule files: syntax, expressions, templates.") { checkFiles };
        check.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var failed = false;
            foreach (var file in parse.GetValue(checkFiles)!)
            {
                output.WriteLine($"Checking {file}");
                var (groups, errors) = RuleFile.Load(file);
                var duplicates = errors.Count == 0 ? RuleFile.Duplicates(groups) : null;
                if (duplicates is not null)
                {
                    // promtool's default --lint=duplicate-rules: reported as FAILED, yet the exit code stays 0.
                    error.WriteLine("  FAILED:");
                    error.WriteLine(duplicates);
                }
                else if (errors.Count > 0)
                {
                    error.WriteLine("  FAILED:");
                    foreach (var e in errors)
                    {
                        error.WriteLine(e);
                    }
                    failed = true;
                }
                else
                {
                    output.WriteLine($"  SUCCESS: {groups.Sum(g => g.Rules.Count)} rules found");
                }
                output.WriteLine();
            }
            return failed ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return new Command("rules", "Work with Prometheus rule files.") { test, check };
    }
}
