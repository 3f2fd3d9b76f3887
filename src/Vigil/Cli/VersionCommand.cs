using System.CommandLine;
using Vigil.Features.Server;

namespace Vigil.Cli;

public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print Vigil's version.");
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine($"vigil {ProcessClock.Version} (.NET {Environment.Version})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
