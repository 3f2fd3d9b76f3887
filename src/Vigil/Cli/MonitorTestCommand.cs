using System.CommandLine;
using Vigil.Configuration;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Probes;
using Vigil.Features.Monitors.Scheduling;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil monitor test FILE</c>: runs monitor definitions once, here, and prints each result.
/// FILE holds one monitor (the keys of an entry under <c>monitors:</c>) or a <c>monitors:</c> list.
/// Exit 0 when all are up or degraded, 1 when any is down, 2 when the file is invalid.
/// </summary>
public static class MonitorTestCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A YAML file with one monitor definition, or a monitors: list." };
        var command = new Command("test", "Run monitor definitions once and print the results.") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            var (monitors, errors) = Load(path);
            foreach (var e in errors)
            {
                await error.WriteLineAsync(e.ToString());
            }
            if (errors.Count > 0)
            {
                return ExitCodes.Usage;
            }
            var clock = TimeProvider.System;
            using var http = new HttpExchange(clock);
            var runner = new CheckRunner(
                [new HttpProbe(http), new TcpProbe(clock), new DnsProbe(clock), new TlsProbe(clock), new DependencyHealthProbe(http), new MultiStepProbe(http), new WebSocketProbe(clock), new IcmpProbe(clock)],
                clock);
            var exit = ExitCodes.Ok;
            foreach (var m in monitors)
            {
                var result = await TestMonitor.RunAsync(m, runner, cancellationToken);
                await output.WriteLineAsync(result.Line(m.Name!));
                foreach (var c in result.Components)
                {
                    await output.WriteLineAsync($"           {c.Name}: {c.Value} ({c.Status.ToString().ToLowerInvariant()})");
                }
                if (result.Status is MonitorStatus.Down or MonitorStatus.Unknown)
                {
                    exit = ExitCodes.Failed;
                }
            }
            return exit;
        });
        return command;
    }

    private static (List<MonitorDefinition> Monitors, List<ConfigError> Errors) Load(FileInfo path)
    {
        var name = path.ToString();
        if (!path.Exists)
        {
            return ([], [new ConfigError(name, 0, 0, "no such file")]);
        }
        YamlStream stream;
        try
        {
            stream = YamlText.Load(File.ReadAllText(path.FullName));
        }
        catch (YamlException e)
        {
            return ([], [new ConfigError(name, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {YamlText.Reason(e)}")]);
        }
        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : new YamlMappingNode();
        var binder = new YamlBinder(name);
        List<MonitorDefinition> monitors;
        string prefix;
        if (root is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode("monitors"), out var list))
        {
            monitors = binder.Bind<List<MonitorDefinition>>(list);
            prefix = "[{0}].";
        }
        else
        {
            monitors = [binder.Bind<MonitorDefinition>(root)];
            prefix = "";
        }
        var errors = new List<ConfigError>(binder.Errors);
        for (var i = 0; i < monitors.Count; i++)
        {
            var m = monitors[i];
            m.Name ??= $"monitor-{i + 1}";
            // A test run has no catalog: any service and environment are accepted.
            m.Service ??= "test";
            var environments = m.Environment is null ? Array.Empty<string>() : [m.Environment];
            errors.AddRange(MonitorRules.Validate(m, string.Format(System.Globalization.CultureInfo.InvariantCulture, prefix, i), _ => environments).Select(binder.Locate));
        }
        return (monitors, errors);
    }
}
