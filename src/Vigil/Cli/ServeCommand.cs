using System.CommandLine;
using Vigil.Configuration;
using Vigil.Hosting;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil serve</c>: runs the server. Each setting comes from its flag, else its environment
/// variable, else the config file's <c>server:</c> section, else the default.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory (env VIGIL_DATA; default ./data)." };
        var urls = new Option<string?>("--urls") { Description = $"Where to listen (env VIGIL_URLS; default {ServeOptions.DefaultUrls})." };
        var database = new Option<string?>("--database") { Description = "postgres://user:pass@host:5432/db for PostgreSQL (env VIGIL_DATABASE; default SQLite in the data directory)." };
        var config = new Option<string?>("--config") { Description = "Configuration file (env VIGIL_CONFIG; default ./vigil.yaml if present)." };
        var logFormat = new Option<LogFormat>("--log-format") { Description = "text (default) or json: one JSON object a line, for log shippers (env VIGIL_LOG_FORMAT)." };
        var command = new Command("serve", "Run the Vigil server: API, console, status pages and background loops.") { data, urls, database, config, logFormat };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var configPath = CliRunner.Resolve(parse.GetValue(config), "VIGIL_CONFIG", File.Exists("vigil.yaml") ? "vigil.yaml" : null);
            var server = new ServerSettings();
            var metrics = new Features.Metrics.MetricsSettings();
            if (configPath is not null)
            {
                var loaded = ConfigLoader.Load(configPath);
                if (!loaded.IsValid)
                {
                    foreach (var e in loaded.Errors)
                    {
                        await error.WriteLineAsync(e.ToString());
                    }
                    return ExitCodes.Failed;
                }
                server = loaded.Config.Server;
                metrics = loaded.Config.Metrics;
            }
            var format = parse.GetValue(logFormat);
            if (parse.GetResult(logFormat) is null && Environment.GetEnvironmentVariable("VIGIL_LOG_FORMAT") is { Length: > 0 } variable
                && !Enum.TryParse(variable, ignoreCase: true, out format))
            {
                await error.WriteLineAsync($"vigil: VIGIL_LOG_FORMAT=\"{variable}\" is not a log format: use text or json.");
                return ExitCodes.Usage;
            }
            var options = new ServeOptions
            {
                ConfigPath = configPath,
                DataDirectory = CliRunner.Resolve(parse.GetValue(data), "VIGIL_DATA", server.Data) ?? "data",
                Urls = CliRunner.Resolve(parse.GetValue(urls), "VIGIL_URLS", server.Listen) ?? ServeOptions.DefaultUrls,
                Database = CliRunner.Resolve(parse.GetValue(database), "VIGIL_DATABASE", server.Database),
                ShutdownTimeout = server.ShutdownTimeout,
                Metrics = metrics,
                Tls = server.Tls,
                LogFormat = format,
            };
            try
            {
                await using var app = await VigilHost.StartAsync(options, cancellationToken: cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
                return ExitCodes.Ok;
            }
            catch (ConfigException e)
            {
                await error.WriteLineAsync(e.Message);
                return ExitCodes.Failed;
            }
            catch (Data.DamagedDatabaseException e)
            {
                await error.WriteLineAsync(e.Message);
                return ExitCodes.Failed;
            }
            catch (ListenAddressInUseException e)
            {
                await error.WriteLineAsync(e.Message);
                return ExitCodes.Failed;
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // Taken between the check and the bind.
                await error.WriteLineAsync($"vigil: {e.Message} Choose another address with --urls.");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
