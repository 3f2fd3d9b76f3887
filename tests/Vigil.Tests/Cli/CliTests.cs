using System.CommandLine;
using Vigil.Cli;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

public class CliTests
{
    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunWithInputAsync("", args);

    private static async Task<(int Exit, string Output, string Error)> RunWithInputAsync(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { ServeCommand.Create(), ConfigCommand.Create(), VersionCommand.Create(), AdminCommand.Create(new StringReader(input)) };
        var exit = await CliRunner.RunAsync(root, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Config_check_prints_three_mistakes_with_file_line_and_reason_and_exits_1()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vigil-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            services:
              - name: api
                tier: high
              - name: web
                dependencies:
                  - service: payments
              - name: api
            """);
        try
        {
            var (exit, _, error) = await RunAsync("config", "check", file);

            Assert.Equal(1, exit);
            Assert.Contains($"{file}:3:11: expected an integer, got \"high\"", error);
            Assert.Contains($"{file}:6:18: unknown service \"payments\"", error);
            Assert.Contains($"{file}:7:11: duplicate service name \"api\"", error);
            Assert.Contains("3 errors", error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Admin_create_reads_the_password_from_stdin_and_refuses_a_taken_name_or_a_weak_password()
    {
        var data = Path.Combine(Path.GetTempPath(), $"vigil-cli-{Guid.NewGuid():N}");
        try
        {
            var created = await RunWithInputAsync("a long enough password\n", "admin", "create", "--username", "ops", "--password-stdin", "--data", data);
            var again = await RunWithInputAsync("a long enough password\n", "admin", "create", "--username", "ops", "--password-stdin", "--data", data);
            var weak = await RunWithInputAsync("short\n", "admin", "create", "--username", "ops2", "--password-stdin", "--data", data);
            var noStdin = await RunAsync("admin", "create", "--username", "ops3", "--data", data);

            Assert.True(created.Exit == 0, created.Error);
            Assert.Contains("created super_admin \"ops\"", created.Output);
            Assert.Equal((1, true), (again.Exit, again.Error.Contains("already exists")));
            Assert.Equal((1, true), (weak.Exit, weak.Error.Contains("at least 12 characters")));
            Assert.Equal(2, noStdin.Exit);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Config_check_of_the_example_config_exits_0()
    {
        var (exit, output, error) = await RunAsync("config", "check", RepositoryPaths.ExampleConfig);

        Assert.True(exit == 0, error);
        Assert.Contains("OK (3 services)", output);
    }

    [Fact]
    public async Task Config_check_of_a_missing_file_exits_1_with_a_message()
    {
        var (exit, _, error) = await RunAsync("config", "check", "/nonexistent/vigil.yaml");

        Assert.Equal(1, exit);
        Assert.Contains("no such file", error);
    }

    [Fact]
    public async Task An_unknown_verb_is_a_usage_error_with_exit_2()
    {
        var (exit, _, error) = await RunAsync("frobnicate");

        Assert.Equal(2, exit);
        Assert.Contains("frobnicate", error);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("config")]
    [InlineData("config", "check")]
    [InlineData("version")]
    public async Task Every_verb_has_help(params string[] verb)
    {
        var (exit, output, _) = await RunAsync([.. verb, "--help"]);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var (exit, output, _) = await RunAsync("version");

        Assert.Equal(0, exit);
        Assert.StartsWith("vigil 0.", output);
    }
}
