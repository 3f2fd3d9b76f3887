using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Vigil.Cli;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>
/// <c>vigil rules test</c> and <c>vigil rules check</c> give promtool 2.42's verdicts, exit codes and
/// error messages for the rule tests in shared/conformance/rules (read in place; several are meant
/// to fail): against promtool's recorded results, and against Debian's promtool run live.
/// </summary>
public partial class PromtoolRuleTestsConformance
{
    private static string Folder => Path.Combine(RepositoryPaths.Shared, "conformance", "rules");

    public static TheoryData<string> TestFiles() => [.. Directory.GetFiles(Folder, "*.test.yml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> RuleFiles() =>
        [.. Directory.GetFiles(Folder, "*.yml").Select(f => Path.GetFileName(f)).Where(f => !f.EndsWith(".test.yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private sealed record Recorded(int Exit, string Stdout, string Stderr);

    [GeneratedRegex(@"^=== (?<command>[^\n]+)\nexit code: (?<exit>\d+)\n--- stdout\n(?<stdout>.*?)--- stderr\n(?<stderr>.*?)(?=^=== |\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Entry();

    private static Recorded RecordedFor(string command)
    {
        var text = File.ReadAllText(Path.Combine(Folder, "promtool-2.42-results.txt"));
        var match = Entry().Matches(text).Single(m => m.Groups["command"].Value == command);
        return new Recorded(int.Parse(match.Groups["exit"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["stdout"].Value, match.Groups["stderr"].Value);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> VigilAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { RulesCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public async Task Rules_test_gives_promtools_verdict_exit_code_and_errors(string file)
    {
        var expected = RecordedFor($"promtool test rules {file}");

        var (exit, stdout, stderr) = await VigilAsync("rules", "test", Path.Combine(Folder, file));

        Assert.Equal(expected.Exit, exit);
        Assert.Equal(expected.Stdout.Contains("SUCCESS", StringComparison.Ordinal), stdout.Contains("SUCCESS", StringComparison.Ordinal));
        Assert.Equal(expected.Stderr.TrimEnd(), InFolder(stderr));
    }

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public async Task Rules_check_gives_promtools_verdict_and_rule_count(string file)
    {
        var expected = RecordedFor($"promtool check rules {file}");

        var (exit, stdout, stderr) = await VigilAsync("rules", "check", Path.Combine(Folder, file));

        Assert.Equal(expected.Exit, exit);
        Assert.Equal(expected.Stdout.Split('\n')[1], stdout.Split('\n')[1]);
        Assert.Equal(expected.Stderr.TrimEnd(), InFolder(stderr));
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public async Task Rules_test_agrees_with_promtool_run_on_the_same_file(string file)
    {
        const string promtool = "/usr/bin/promtool";
        Assert.True(File.Exists(promtool), "promtool not found: scripts/test.sh installs Debian's prometheus package");
        // promtool 2.42 is itself not deterministic on recording.test.yml (about 1 run in 6
        // misses an alert at 6m, observed here): run it until one verdict leads every other by 4
        // runs (at most 30), and take that one, so a flaky promtool run cannot decide the test.
        var runs = new List<(int Exit, string Stderr)>();
        while (runs.Count < 30 && !Settled(runs))
        {
            var start = new ProcessStartInfo(promtool, ["test", "rules", file]) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            runs.Add((process.ExitCode, stderr.TrimEnd()));
        }
        var majority = runs.GroupBy(r => r).OrderByDescending(g => g.Count()).First().Key;

        var vigil = await VigilAsync("rules", "test", Path.Combine(Folder, file));

        // On a loaded machine promtool's flaky verdict can take the lead by chance (recording.test.yml,
        // in a run of the alerting tests beside others). Vigil then still agrees with promtool if it
        // gave the verdict promtool gave when it was recorded, and gave again in these runs.
        var recorded = RecordedFor($"promtool test rules {file}");
        (int Exit, string Stderr) verdict = (vigil.Exit, InFolder(vigil.Stderr));
        if (verdict != majority && verdict == (recorded.Exit, recorded.Stderr.TrimEnd()) && runs.Contains(verdict))
        {
            return;
        }
        Assert.Equal(majority.Exit, vigil.Exit);
        Assert.Equal(majority.Stderr, InFolder(vigil.Stderr));
    }

    // promtool was given the file's name in its folder, and names rule files relative to it; Vigil was
    // given the full path, and names them (as promtool would) with the test file's folder in front.
    private static string InFolder(string stderr) => stderr.Replace(Folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).TrimEnd();

    private static bool Settled(List<(int Exit, string Stderr)> runs)
    {
        var counts = runs.GroupBy(r => r).Select(g => g.Count()).OrderDescending().ToList();
        return counts.Count > 0 && counts[0] - (counts.Count > 1 ? counts[1] : 0) >= 4;
    }
}
