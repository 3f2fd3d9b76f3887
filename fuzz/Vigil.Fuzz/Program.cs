using System.Collections;
using System.Text;
using SharpFuzz;
using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;
using Vigil.Features.Templates;
using Vigil.Metrics;
using Vigil.Metrics.Exposition;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.RemoteWrite;

namespace Vigil.Fuzz;

/// <summary>
/// Fuzz targets for the parsers that read what others write: each takes one input and must either
/// accept it or refuse it with the parser's own error. Any other exception is a crash, a run past
/// AFL's timeout a hang. <c>Vigil.Fuzz TARGET</c> runs under afl-fuzz (SharpFuzz's fork server);
/// <c>Vigil.Fuzz replay TARGET FILE...</c> runs inputs once each, in process (a crash's reproducer).
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, Action<byte[]>> Targets = new(StringComparer.Ordinal)
    {
        ["exposition"] = Exposition,
        ["remote-write"] = RemoteWrite,
        ["promql"] = PromQL,
        ["config"] = Config,
        ["rules"] = Rules,
        ["template"] = Template,
    };

    public static int Main(string[] args)
    {
        if (args is ["replay", var name, .. var files] && Targets.TryGetValue(name, out var replayed))
        {
            var failures = 0;
            foreach (var file in files.SelectMany(f => Directory.Exists(f) ? Directory.EnumerateFiles(f) : [f]))
            {
                try
                {
                    replayed(File.ReadAllBytes(file));
                }
                catch (Exception e)
                {
                    failures++;
                    var where = string.Join(" < ", (e.StackTrace ?? "").Split('\n', StringSplitOptions.TrimEntries).Take(3));
                    Console.Error.WriteLine($"{file}: {e.GetType().Name}: {e.Message} {where}");
                }
            }
            return failures == 0 ? 0 : 1;
        }
        if (args is [var target] && Targets.TryGetValue(target, out var run))
        {
            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                run(memory.ToArray());
            });
            return 0;
        }
        Console.Error.WriteLine($"usage: Vigil.Fuzz TARGET | Vigil.Fuzz replay TARGET FILE-OR-DIR...; targets: {string.Join(", ", Targets.Keys)}");
        return 2;
    }

    /// <summary>Both text formats a scrape may answer in; OpenMetrics with its <c># EOF</c> rule.</summary>
    private static void Exposition(byte[] input)
    {
        foreach (var format in new[] { ExpositionFormat.PrometheusText, ExpositionFormat.OpenMetrics })
        {
            try
            {
                ExpositionParser.Parse(input, format);
            }
            catch (ExpositionException)
            {
            }
        }
    }

    /// <summary>A remote-write body (snappy block of a protobuf WriteRequest), and the same bytes as an uncompressed protobuf.</summary>
    private static void RemoteWrite(byte[] input)
    {
        try
        {
            RemoteWriteDecoder.Decode(input);
        }
        catch (RemoteWriteException)
        {
        }
        try
        {
            RemoteWriteDecoder.DecodeProtobuf(input);
        }
        catch (RemoteWriteException)
        {
        }
    }

    private static void PromQL(byte[] input)
    {
        try
        {
            PromQLParser.Parse(Encoding.UTF8.GetString(input));
        }
        catch (PromQLParseException)
        {
        }
    }

    /// <summary><c>vigil.yaml</c>: every problem must come back as a <c>file:line:column</c> error, never as an exception.</summary>
    private static void Config(byte[] input) =>
        ConfigLoader.Parse("vigil.yaml", Encoding.UTF8.GetString(input), new Hashtable());

    /// <summary>A Prometheus rule file, as <c>vigil rules check</c> and a reload read it: errors are returned, never thrown.</summary>
    private static void Rules(byte[] input)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vigil-fuzz-rules-{Environment.ProcessId}.yaml");
        File.WriteAllBytes(path, input);
        RuleFile.Load(path, "rules.yaml", positionEveryError: true);
    }

    /// <summary>An alert label or annotation template: compiled, then rendered against an alert.</summary>
    private static void Template(byte[] input)
    {
        try
        {
            var template = AlertTemplate.Parse(Encoding.UTF8.GetString(input));
            template.Render(new TemplateData(
                Labels.Of("alertname", "HighErrorRate", "service", "api", "severity", "critical"),
                0.0731,
                Labels.Of("cluster", "prod"),
                "http://127.0.0.1:8080"));
        }
        catch (TemplateException)
        {
        }
    }
}
