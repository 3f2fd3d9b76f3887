using System.CommandLine;
using Vigil.Cli;

namespace Vigil.Tests.Cli;

public class MetricsImportTests
{
    private static async Task<(int Exit, string Error)> ImportAsync(string content)
    {
        var file = Path.Combine(Path.GetTempPath(), $"vigil-import-{Guid.NewGuid():N}.om");
        await File.WriteAllTextAsync(file, content);
        try
        {
            var error = new StringWriter();
            // Nothing listens on port 9 (discard): a file that reaches the network would fail differently.
            var exit = await CliRunner.RunAsync(new RootCommand { MetricsCommand.Create() }, ["metrics", "import", file, "--server", "http://127.0.0.1:9"], new StringWriter(), error);
            return (exit, error.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_malformed_line_is_reported_with_its_line_number_and_nothing_is_sent()
    {
        var (exit, error) = await ImportAsync("# TYPE up gauge\nup{job=\"a\"} 1 1700000000\nup{job=\"a\" 1 1700000060\n# EOF\n");

        Assert.Equal(1, exit);
        Assert.Matches(@"\.om:3: ", error);
    }

    [Fact]
    public async Task A_sample_without_a_timestamp_is_refused()
    {
        var (exit, error) = await ImportAsync("# TYPE up gauge\nup{job=\"a\"} 1\n# EOF\n");

        Assert.Equal(1, exit);
        Assert.Contains("has no timestamp", error);
    }
}
