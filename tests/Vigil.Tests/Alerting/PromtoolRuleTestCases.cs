using System.CommandLine;
using System.Diagnostics;
using Vigil.Cli;

namespace Vigil.Tests.Alerting;

/// <summary>
/// <c>vigil rules test</c> and <c>vigil rules check</c> give the exit code, verdict and output of
/// Debian's promtool 2.42, run live, on our own rule tests and rule files in RuleTestCases/ (several
/// meant to fail): each one a case where Vigil once disagreed with promtool.
/// </summary>
public class PromtoolRuleTestCases
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Alerting", "RuleTestCases");

    public static TheoryData<string> TestFiles() => [.. Directory.GetFiles(Folder, "*.test.yml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> RuleFiles() =>
        [.. Directory.GetFiles(Folder, "*.yml").Select(f => Path.GetFileName(f)).Where(f => !f.EndsWith(".test.yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(TestFiles))]
    public Task Rules_test_gives_the_exit_code_verdict_and_errors_of_promtool(string file) => AgreeWithPromtool("test", file);

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public Task Rules_check_gives_the_exit_code_verdict_and_errors_of_promtool(string file) => AgreeWithPromtool("check", file);

    private static async Task AgreeWithPromtool(string verb, string file)
    {
        const string promtool = "/usr/bin/promtool";
        Assert.True(File.Exists(promtool), "promtool not found: scripts/test.sh installs Debian's prometheus package");
        var start = new ProcessStartInfo(promtool, [verb, "rules", file]) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        var expectedStdout = await process.StandardOutput.ReadToEndAsync();
        var expectedStderr = await stderrTask;
        await process.WaitForExitAsync();

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { RulesCommand.Create() }, ["rules", verb, Path.Combine(Folder, file)], output, error);

        // promtool was given the file's name in its folder, Vigil its full path, which both print as given.
        var stdout = output.ToString().Replace(Folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
        var stderr = error.ToString().Replace(Folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
        Assert.Equal(process.ExitCode, exit);
        Assert.Equal(expectedStdout, stdout);
        Assert.Equal(expectedStderr, stderr);
    }
}
