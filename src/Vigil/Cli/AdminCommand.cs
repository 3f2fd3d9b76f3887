using System.CommandLine;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil admin create --username U --password-stdin</c>: adds a super_admin directly in the
/// database (the server may be stopped), e.g. when the first-start password was lost. Exit 0
/// created, 1 refused (name taken, password too weak), 2 usage.
/// </summary>
public static class AdminCommand
{
    /// <param name="input">Where the password is read from; standard input unless a test gives another.</param>
    public static Command Create(TextReader? input = null)
    {
        var username = new Option<string>("--username") { Description = "The new super_admin's username.", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (one line), so it stays out of the shell history." };
        var data = new Option<string?>("--data") { Description = "Data directory (env VIGIL_DATA; default ./data)." };
        var database = new Option<string?>("--database") { Description = "postgres://... for PostgreSQL (env VIGIL_DATABASE; default SQLite in the data directory)." };
        var create = new Command("create", "Create a super_admin in the state store.") { username, passwordStdin, data, database };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (!parse.GetValue(passwordStdin))
            {
                await error.WriteLineAsync("vigil: --password-stdin is required (passwords are not taken as arguments)");
                return ExitCodes.Usage;
            }
            var password = (await (input ?? Console.In).ReadLineAsync(cancellationToken))?.TrimEnd('\r', '\n') ?? "";
            var options = new ServeOptions
            {
                DataDirectory = CliRunner.Resolve(parse.GetValue(data), "VIGIL_DATA", null) ?? "data",
                Database = CliRunner.Resolve(parse.GetValue(database), "VIGIL_DATABASE", null),
            };
            Directory.CreateDirectory(options.DataDirectory);
            await using var app = VigilHost.Build(options);
            await DataModule.MigrateAsync(app.Services, cancellationToken);
            await using var scope = app.Services.CreateAsyncScope();
            var name = parse.GetValue(username)!;
            var refused = await BootstrapAdministrator.CreateAsync(scope.ServiceProvider, name, password, mustChangePassword: false, cancellationToken);
            if (refused is not null)
            {
                await error.WriteLineAsync($"vigil: {refused}");
                return ExitCodes.Failed;
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync($"created super_admin \"{name}\"");
            return ExitCodes.Ok;
        });
        return new Command("admin", "Administer users directly in the state store.") { create };
    }
}
