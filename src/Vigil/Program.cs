using System.CommandLine;
using Vigil.Cli;

// vigil: one executable for the server and the command-line client. Each verb lives in Cli/.
var root = new RootCommand("Vigil: services, monitors, metrics, alerts, on-call, incidents and status pages in one program.")
{
    ServeCommand.Create(),
    ConfigCommand.Create(),
    RulesCommand.Create(),
    MetricsCommand.Create(),
    MonitorCommand.Create(),
    SilenceCommand.Create(),
    IncidentCommand.Create(),
    DeployCommand.Create(),
    OnCallCommand.Create(),
    RunbookCommand.Create(),
    PageCommand.Create(),
    AdminCommand.Create(),
    BackupCommand.Create(),
    CostCommand.Create(),
    WebhookSinkCommand.Create(),
    VersionCommand.Create(),
};
return await CliRunner.RunAsync(root, args);
