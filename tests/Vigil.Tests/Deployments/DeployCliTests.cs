using System.CommandLine;
using Vigil.Cli;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Deployments;

public sealed class DeployCliTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { DeployCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Deploy_start_finish_rollback_and_list_talk_to_the_server_api()
    {
        await using var server = await TestServer.StartAsync(null, "services:\n  - name: checkout\n    environments:\n      - name: production\n");
        var url = server.BaseAddress.ToString();
        var token = (await TestServer.CreateTokenAsync(server.Http, "cli", Role.Operator)).Token;
        var viewer = (await TestServer.CreateTokenAsync(server.Http, "cli-viewer", Role.Viewer)).Token;

        var first = await RunAsync("deploy", "start", "--service", "checkout", "-e", "production", "--version", "v1.4.1", "--server", url, "--token", token);
        Assert.Equal((0, "1", ""), (first.Exit, first.Output.Trim(), first.Error));
        var finished = await RunAsync("deploy", "finish", "1", "--server", url, "--token", token);
        Assert.Equal((0, "1: checkout v1.4.1 to production succeeded"), (finished.Exit, finished.Output.Trim()));
        Assert.Equal(0, (await RunAsync("deploy", "start", "--service", "checkout", "-e", "production", "--version", "v1.4.2", "--strategy", "canary", "--server", url, "--token", token)).Exit);
        var rollback = await RunAsync("deploy", "rollback", "2", "--note", "error rate up", "--server", url, "--token", token);
        Assert.Equal((0, "2: checkout v1.4.2 to production rolled_back"), (rollback.Exit, rollback.Output.Trim()));

        var list = await RunAsync("deploy", "list", "--service", "checkout", "--limit", "5", "--server", url, "--token", viewer);
        Assert.Equal(0, list.Exit);
        var lines = list.Output.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("2      checkout         production   v1.4.2         rolled_back  2026-11-02 09:00  test-admin", lines[1], StringComparison.Ordinal);

        var refused = await RunAsync("deploy", "finish", "2", "--server", url, "--token", token);
        Assert.Equal(1, refused.Exit);
        Assert.Contains("status: a deployment that is rolled_back cannot become succeeded", refused.Error, StringComparison.Ordinal);
        var unknown = await RunAsync("deploy", "start", "--service", "billing", "-e", "production", "--version", "v1", "--server", url, "--token", token);
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("service: no service named \"billing\"", unknown.Error, StringComparison.Ordinal);
        var usage = await RunAsync("deploy", "start", "--service", "checkout", "--server", url, "--token", token);
        Assert.Equal(2, usage.Exit);
    }
}
