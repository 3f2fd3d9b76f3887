using System.CommandLine;
using Vigil.Cli;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.OnCall;

/// <summary><c>vigil oncall who</c> against a real server.</summary>
public sealed class OnCallCliTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { OnCallCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Oncall_who_prints_who_and_until_when_and_exits_1_when_nobody_is_on_call()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            schedules:
              - name: primary
                time_zone: Europe/Berlin
                layers:
                  - {rotation: daily, handoff: "09:00", start: 2026-03-01, participants: [alice, bob]}
              - name: office
                time_zone: America/New_York
                layers:
                  - rotation: daily
                    handoff: "09:00"
                    start: 2026-03-01
                    participants: [carol]
                    restrictions: [{days: mon-fri, from: "09:00", to: "17:00"}]
            """);
        var url = server.BaseAddress.ToString();
        var token = (await TestServer.CreateTokenAsync(server.Http, "cli", Role.Viewer)).Token;

        // Saturday 28 March 2026, the day before Berlin springs forward: bob's turn (27 days after the start) ends at 09:00 CEST.
        var one = await RunAsync("oncall", "who", "primary", "--at", "2026-03-28T12:00:00Z", "--server", url, "--token", token);
        var all = await RunAsync("oncall", "who", "--at", "2026-03-28T12:00:00Z", "--server", url, "--token", token);
        var weekday = await RunAsync("oncall", "who", "office", "--at", "2026-03-27T14:00:00Z", "--server", url, "--token", token);
        var badTime = await RunAsync("oncall", "who", "--at", "yesterday", "--server", url, "--token", token);
        var missing = await RunAsync("oncall", "who", "nope", "--server", url, "--token", token);

        Assert.Equal((0, "primary              bob              until 2026-03-29 09:00 Europe/Berlin (2026-03-29 07:00Z)  [layer 1]\n"), (one.Exit, one.Output.ReplaceLineEndings("\n")));
        Assert.Equal(1, all.Exit);
        Assert.Contains("office               nobody on call", all.Output);
        Assert.Equal(0, weekday.Exit);
        Assert.Contains("carol            until 2026-03-27 17:00 America/New_York (2026-03-27 21:00Z)", weekday.Output);
        Assert.Equal(2, badTime.Exit);
        Assert.Contains("--at", badTime.Error);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("no schedule named \"nope\"", missing.Error);
    }
}
