using System.CommandLine;
using Vigil.Cli;
using Vigil.Tests.Support;

namespace Vigil.Tests.Monitors;

public sealed class MonitorCliTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { MonitorCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task<string> FileAsync(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"vigil-monitor-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        return file;
    }

    [Fact]
    public async Task Monitor_test_prints_the_result_and_exits_0_when_up_and_1_when_down()
    {
        await using var target = await TargetServer.StandardAsync();
        var up = await FileAsync($"""
            name: shop
            type: http
            url: {target.Url}/ok
            conditions: [{"{"}body_contains: good{"}"}]
            """);
        var down = await FileAsync($"""
            monitors:
              - {"{"}name: health, type: dependency_health, url: "{target.Url}/health"{"}"}
              - {"{"}name: broken, type: http, url: "{target.Url}/fail", timeout: 2s{"}"}
            """);

        var ok = await RunAsync("monitor", "test", up);
        var failed = await RunAsync("monitor", "test", down);

        Assert.Equal(0, ok.Exit);
        Assert.StartsWith("UP       shop: status 200", ok.Output);
        Assert.Equal(1, failed.Exit);
        Assert.Contains("DEGRADED health: status: degraded, external_apis.shopify: degraded", failed.Output);
        Assert.Contains("DOWN     broken: status 503", failed.Output);
    }

    [Fact]
    public async Task Monitor_test_reports_a_bad_definition_with_its_line_and_exits_2()
    {
        var file = await FileAsync("""
            name: shop
            type: http
            url: http://127.0.0.1/
            interval: 100ms
            """);

        var (exit, _, error) = await RunAsync("monitor", "test", file);

        Assert.Equal(2, exit);
        Assert.Contains($"{file}:4:11: must be at least 1s", error);
    }

    [Fact]
    public async Task List_pause_and_status_talk_to_the_server_api()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            services: [{name: api}]
            monitors: [{name: api-port, type: tcp, service: api, host: 127.0.0.1, port: 1}]
            """);
        var url = server.BaseAddress.ToString();
        var token = (await TestServer.CreateTokenAsync(server.Http, "cli", Vigil.Features.Access.Role.Operator)).Token;
        var viewer = (await TestServer.CreateTokenAsync(server.Http, "cli-viewer", Vigil.Features.Access.Role.Viewer)).Token;

        var list = await RunAsync("monitor", "list", "--server", url, "--token", token);
        var pause = await RunAsync("monitor", "pause", "api-port", "--server", url, "--token", token);
        var status = await RunAsync("monitor", "status", "api-port", "--server", url, "--token", token);
        var missing = await RunAsync("monitor", "status", "nope", "--server", url, "--token", token);
        var tokenless = await RunAsync("monitor", "list", "--server", url);
        var refused = await RunAsync("monitor", "resume", "api-port", "--server", url, "--token", viewer);

        Assert.Equal(0, list.Exit);
        Assert.Contains("api-port", list.Output);
        Assert.Equal((0, "api-port: paused\n"), (pause.Exit, pause.Output));
        Assert.Contains("api-port: paused", status.Output);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("no monitor named \"nope\"", missing.Error);
        Assert.Equal((2, "vigil: an API token is required: --token or VIGIL_TOKEN\n"), (tokenless.Exit, tokenless.Error));
        Assert.Equal(1, refused.Exit);
        Assert.Contains("403 Forbidden: this requires the permission monitors.edit", refused.Error);
    }
}
