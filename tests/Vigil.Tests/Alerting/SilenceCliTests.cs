using System.CommandLine;
using Vigil.Cli;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

public sealed class SilenceCliTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { SilenceCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Silence_add_list_and_expire_talk_to_the_server_api()
    {
        await using var server = await TestServer.StartAsync();
        var url = server.BaseAddress.ToString();
        var token = (await TestServer.CreateTokenAsync(server.Http, "cli", Role.Operator)).Token;
        var viewer = (await TestServer.CreateTokenAsync(server.Http, "cli-viewer", Role.Viewer)).Token;

        var add = await RunAsync("silence", "add", "service=api", "severity=~\"warning|critical\"", "--duration", "2h", "--comment", "deploy", "--server", url, "--token", token);
        Assert.Equal((0, ""), (add.Exit, add.Error));
        var id = add.Output.Trim();
        var list = await RunAsync("silence", "list", "--state", "active", "--server", url, "--token", viewer);
        Assert.Equal(0, list.Exit);
        var ends = server.Clock.GetUtcNow().AddHours(2).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"{id} active   {ends}", list.Output);
        Assert.Contains("service=api,severity=~\"warning|critical\"  deploy", list.Output);

        var refused = await RunAsync("silence", "expire", id, "--server", url, "--token", viewer);
        Assert.Equal(1, refused.Exit);
        var expire = await RunAsync("silence", "expire", id, "--server", url, "--token", token);
        Assert.Equal((0, $"{id}: expired"), (expire.Exit, expire.Output.Trim()));
        var again = await RunAsync("silence", "expire", id, "--server", url, "--token", token);
        Assert.Equal(1, again.Exit);
        Assert.Contains("already expired", again.Error);
        var bad = await RunAsync("silence", "add", "service=api", "--duration", "soon", "--comment", "x", "--server", url, "--token", token);
        Assert.Equal(2, bad.Exit);
    }
}
