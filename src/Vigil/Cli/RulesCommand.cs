using System.CommandLine;
using Vigil.Features.Alerting.Rules;
using Vigil.Features.Alerting.RuleTests;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil rules test FILE...</c> runs promtool-format rule unit tests; <c>vigil rules check FILE...</c>
/// validates rule files. Output and exit codes follow <c>promtool test rules</c> / <c>check rules</c>:
/// 0 when every file passes, 1 when any fails. Either takes a vigil.yaml for its short-form rules.
/// <c>check --against URL</c> also warns of alerting rules that were true at every step of the
/// server's last day of data (exit code unchanged: a deliberate always-firing rule such as a
/// watchdog is legitimate).
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

        var checkFiles = new Argument<string[]>("FILE") { Description = "Prometheus rule files, or a vigil.yaml (its short-form rules).", Arity = ArgumentArity.OneOrMore };
        var against = new Option<string?>("--against") { Description = "A running Vigil's URL: also flag alerting rules that were true at every step of its last day of data (they would always fire)." };
        var token = new Option<string?>("--token") { Description = "With --against: an API token that may read metrics (env VIGIL_TOKEN)." };
        var check = new Command("check", "Check Prometheus rule files: syntax, expressions, templates.") { checkFiles, against, token };
        check.SetAction(async (parse, cancellationToken) =>
        {
            HttpClient? server = null;
            if (parse.GetValue(against) is { } url)
            {
                var secret = CliRunner.Resolve(parse.GetValue(token), "VIGIL_TOKEN", null);
                if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"vigil: --against must be an http(s) URL, not \"{url}\"");
                    return ExitCodes.Usage;
                }
                if (string.IsNullOrEmpty(secret))
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync("vigil: --against needs an API token: --token or VIGIL_TOKEN");
                    return ExitCodes.Usage;
                }
                server = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(2) };
                server.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
            }
            using var disposeServer = server;
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var failed = false;
            foreach (var file in parse.GetValue(checkFiles)!)
            {
                output.WriteLine($"Checking {file}");
                var (groups, errors) = LoadRuleGroups.LoadFileOrConfig(file);
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
                if (server is not null && errors.Count == 0)
                {
                    try
                    {
                        foreach (var finding in await FindAlwaysTrueRules.CheckAsync(server, groups.SelectMany(g => g.Rules), cancellationToken))
                        {
                            output.WriteLine($"  WARNING: alert \"{finding.Rule}\" was true at every step of the last day of data ({finding.TrueSteps} of {finding.DataSteps} 5-minute steps): it would always fire; is the condition the wrong way round?");
                            output.WriteLine($"    {finding.Expr}");
                        }
                    }
                    catch (HttpRequestException e)
                    {
                        error.WriteLine($"vigil: cannot check the rules against {server.BaseAddress}: {e.Message}");
                        failed = true;
                    }
                }
                output.WriteLine();
            }
            return failed ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return new Command("rules", "Work with Prometheus rule files.") { test, check };
    }
}
