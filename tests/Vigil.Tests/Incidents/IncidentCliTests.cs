using System.CommandLine;
using Vigil.Cli;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Incidents;

public sealed class IncidentCliTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { IncidentCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Incident_open_list_ack_and_resolve_talk_to_the_server_api()
    {
        await using var server = await TestServer.StartAsync();
        var url = server.BaseAddress.ToString();
        var token = (await TestServer.CreateTokenAsync(server.Http, "cli", Role.Operator)).Token;
        var viewer = (await TestServer.CreateTokenAsync(server.Http, "cli-viewer", Role.Viewer)).Token;

        var open = await RunAsync("incident", "open", "Checkout returns 500", "--severity", "P1", "--service", "checkout", "--server", url, "--token", token);
        Assert.Equal((0, "INC-2026-001", ""), (open.Exit, open.Output.Trim(), open.Error));
        var list = await RunAsync("incident", "list", "--server", url, "--token", viewer);
        Assert.Equal(0, list.Exit);
        Assert.Contains("INC-2026-001   P1   triggered     2026-11-02 09:00  Checkout returns 500", list.Output);

        var refused = await RunAsync("incident", "ack", "INC-2026-001", "--server", url, "--token", viewer);
        Assert.Equal(1, refused.Exit);
        var ack = await RunAsync("incident", "ack", "INC-2026-001", "--server", url, "--token", token);
        Assert.Equal((0, "INC-2026-001: acknowledged"), (ack.Exit, ack.Output.Trim()));
        var resolve = await RunAsync("incident", "resolve", "INC-2026-001", "--note", "pool size raised", "--server", url, "--token", token);
        Assert.Equal((0, "INC-2026-001: resolved"), (resolve.Exit, resolve.Output.Trim()));
        var again = await RunAsync("incident", "resolve", "INC-2026-001", "--server", url, "--token", token);
        Assert.Equal(1, again.Exit);
        Assert.Contains("already resolved", again.Error);
    }
}
