using System.Text;
using Vigil.Metrics.PromQL.Testing;
using Xunit.Abstractions;

namespace Vigil.Metrics.Tests.PromQL;

/// <summary>
/// Runs every Prometheus 2.42 PromQL test file found in <c>shared/conformance/promql</c> next to
/// the repository, in place, and reports each failing eval with expected and actual values.
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    private const string Missing = "<conformance folder not found>";

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var dir = ConformanceDirectory();
        if (dir is null)
        {
            data.Add(Missing);
            return data;
        }
        foreach (var f in Directory.GetFiles(dir, "*.test").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Prometheus_test_file_passes_at_least_95_percent_of_its_evals(string file)
    {
        var dir = ConformanceDirectory();
        Assert.True(dir is not null && file != Missing,
            $"No shared/conformance/promql folder found in any parent of {AppContext.BaseDirectory}; the conformance files are read in place from there.");
        var script = TestScript.Parse(File.ReadAllText(Path.Combine(dir!, file)));
        var outcomes = TestScriptRunner.Run(script);
        var passed = outcomes.Count(o => o.Passed);
        var report = new StringBuilder();
        report.AppendLine($"{file}: {passed}/{outcomes.Count} evals passed");
        foreach (var o in outcomes.Where(o => !o.Passed))
        {
            report.AppendLine($"  line {o.Line}: {o.Query}");
            report.AppendLine($"    {o.Failure}");
        }
        output.WriteLine(report.ToString());
        Assert.True(outcomes.Count > 0, $"{file} has no evals");
        Assert.True(passed >= outcomes.Count * 0.95, report.ToString());
    }

    internal static string? ConformanceDirectory()
    {
        // Lets a developer point the same tests at other Prometheus test files without copying them here.
        if (Environment.GetEnvironmentVariable("VIGIL_PROMQL_CONFORMANCE_DIR") is { Length: > 0 } overridden)
        {
            return Directory.Exists(overridden) ? overridden : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance", "promql");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
