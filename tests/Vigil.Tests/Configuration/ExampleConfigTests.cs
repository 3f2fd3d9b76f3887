using System.Collections;
using System.Net;
using System.Text.RegularExpressions;
using Vigil.Configuration;
using Vigil.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Vigil.Tests.Configuration;

/// <summary>
/// The example configuration is what a newcomer runs first: it must reach nothing but this machine,
/// check Vigil wherever it listens, and notify through a route that groups alerts.
/// </summary>
public sealed partial class ExampleConfigTests
{
    /// <summary>Every value of the file (YAML comments are not values), with its line.</summary>
    private static IEnumerable<(string Value, long Line)> Values(YamlNode node) => node switch
    {
        YamlScalarNode { Value: { } value } scalar => [(value, scalar.Start.Line)],
        YamlSequenceNode sequence => sequence.Children.SelectMany(Values),
        YamlMappingNode mapping => mapping.Children.SelectMany(pair => Values(pair.Key).Concat(Values(pair.Value))),
        _ => [],
    };

    [GeneratedRegex(@"[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?(?<host>\[[0-9a-f:.]+\]|[^/:\s""'\]}]+)", RegexOptions.IgnoreCase)]
    private static partial Regex UrlHost();

    [GeneratedRegex(@"[a-z0-9._%+-]+@(?<host>[a-z0-9.-]+\.[a-z]{2,})", RegexOptions.IgnoreCase)]
    private static partial Regex EmailHost();

    [GeneratedRegex(@"^(?<host>[a-z0-9.-]+\.[a-z0-9-]+|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d+$", RegexOptions.IgnoreCase)]
    private static partial Regex HostPort();

    [GeneratedRegex(@"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")]
    private static partial Regex Ipv4();

    /// <summary>Every host named in a value: URLs, e-mail addresses, host:port, IP addresses, and the value of a host-like key.</summary>
    private static IEnumerable<(string Host, long Line)> Hosts(YamlNode root)
    {
        foreach (var (value, line) in Values(root))
        {
            foreach (Match m in UrlHost().Matches(value))
            {
                yield return (m.Groups["host"].Value, line);
            }
            foreach (Match m in EmailHost().Matches(value))
            {
                yield return (m.Groups["host"].Value, line);
            }
            if (HostPort().Match(value.Trim()) is { Success: true } hostPort)
            {
                yield return (hostPort.Groups["host"].Value, line);
            }
            foreach (Match m in Ipv4().Matches(value))
            {
                yield return (m.Value, line);
            }
        }
        foreach (var (key, value) in HostKeys(root))
        {
            yield return (value.Value!, value.Start.Line);
        }
    }

    private static IEnumerable<(string Key, YamlScalarNode Value)> HostKeys(YamlNode node) => node switch
    {
        YamlSequenceNode sequence => sequence.Children.SelectMany(HostKeys),
        YamlMappingNode mapping => mapping.Children.SelectMany(pair =>
            pair is { Key: YamlScalarNode { Value: "host" or "smarthost" or "hello" } key, Value: YamlScalarNode { Value: { Length: > 0 } } scalar }
                ? [(key.Value!, scalar)]
                : HostKeys(pair.Value)),
        _ => [],
    };

    /// <summary>Loopback, or a name RFC 2606 keeps for documentation (example.com/.org/.net and subdomains).</summary>
    private static bool StaysOnThisMachine(string host)
    {
        var name = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (name == "localhost" || name.StartsWith("${vigil_", StringComparison.Ordinal))
        {
            return true;
        }
        if (IPAddress.TryParse(name, out var ip))
        {
            return IPAddress.IsLoopback(ip);
        }
        return name is "example.com" or "example.org" or "example.net"
            || name.EndsWith(".example.com", StringComparison.Ordinal) || name.EndsWith(".example.org", StringComparison.Ordinal) || name.EndsWith(".example.net", StringComparison.Ordinal);
    }

    private static YamlNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents[0].RootNode;
    }

    [Fact]
    public void No_address_in_the_example_outside_comments_is_anything_but_loopback_or_a_documentation_domain()
    {
        var root = Load(File.ReadAllText(RepositoryPaths.ExampleConfig));

        var hosts = Hosts(root).ToList();
        var offMachine = hosts.Where(h => !StaysOnThisMachine(h.Host)).Select(h => $"line {h.Line}: {h.Host}").ToList();

        Assert.Empty(offMachine);
        // The check itself sees what it must: loopback addresses and the documentation links.
        Assert.Contains(hosts, h => h.Host == "127.0.0.1");
        Assert.Contains(hosts, h => h.Host.EndsWith("example.com", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("target: 10.0.1.20:9100", "10.0.1.20")]
    [InlineData("url: https://hooks.slack.com/services/T0/B0/X", "hooks.slack.com")]
    [InlineData("to: oncall@company.io", "company.io")]
    [InlineData("host: 1.1.1.1", "1.1.1.1")]
    [InlineData("targets: [\"node1.internal:9100\"]", "node1.internal")]
    public void The_address_check_catches_an_address_off_this_machine(string yaml, string host)
    {
        var found = Hosts(Load(yaml)).Select(h => h.Host).Where(h => !StaysOnThisMachine(h));

        Assert.Contains(host, found);
    }

    [Fact]
    public void Every_self_check_of_the_example_follows_the_address_vigil_listens_on()
    {
        var loaded = ConfigLoader.Load(RepositoryPaths.ExampleConfig, new Hashtable(), listen: "http://127.0.0.1:9123");

        Assert.Empty(loaded.Errors);
        var config = loaded.Config;
        Assert.Equal("http://127.0.0.1:9123/health", config.Monitors.Single(m => m.Name == "vigil-self").Url);
        Assert.Equal("http://127.0.0.1:9123/health", config.Monitors.Single(m => m.Name == "api-dependencies").Url);
        Assert.Equal(9123, config.Monitors.Single(m => m.Name == "vigil-port").Port);
        Assert.Equal(["127.0.0.1:9123"], config.Metrics.ScrapeConfigs.Single(j => j.JobName == "vigil").StaticConfigs.SelectMany(s => s.Targets));
        Assert.Equal("127.0.0.1:9123", config.Services.Single(s => s.Name == "api").Environments!.Single(e => e.Name == "production").Metrics!.Target);
        Assert.Equal("http://127.0.0.1:9123", config.Server.ExternalUrl);
        Assert.Equal("http://127.0.0.1:9123", config.Routing.ExternalUrl);
        Assert.Equal("http://127.0.0.1:9123", config.Alerting.ExternalUrl);
        Assert.DoesNotContain("8080", string.Join(" ", config.Monitors.Select(m => $"{m.Url} {m.Port}")));
    }

    [Fact]
    public void Without_a_listen_address_the_self_checks_use_the_file_s_own_server_listen()
    {
        var loaded = ConfigLoader.Load(RepositoryPaths.ExampleConfig, new Hashtable());

        Assert.Equal("http://127.0.0.1:8080/health", loaded.Config.Monitors.Single(m => m.Name == "vigil-self").Url);
        Assert.Equal(8080, loaded.Config.Monitors.Single(m => m.Name == "vigil-port").Port);
    }

    [Fact]
    public void The_example_notifies_out_of_the_box_through_a_root_route_grouped_by_alertname_and_service()
    {
        var config = ConfigLoader.Load(RepositoryPaths.ExampleConfig, new Hashtable()).Config;

        var route = config.Routing.Route;
        Assert.NotNull(route);
        Assert.Equal("ops-webhook", route.Receiver);
        Assert.Equal(["alertname", "service"], route.GroupBy);
        Assert.Equal("http://127.0.0.1:9095/alerts", config.Channels.Single(c => c.Name == route.Receiver).Url);
    }
}
