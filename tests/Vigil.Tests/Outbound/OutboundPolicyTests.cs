using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Cli;
using Vigil.Features.Monitors;
using Vigil.Features.Outbound;
using Vigil.Tests.Monitors;

namespace Vigil.Tests.Outbound;

/// <summary>Tests that change the process-wide outbound policy run alone, so no other test sees it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OutboundPolicyCollection
{
    public const string Name = "outbound policy";
}

/// <summary>
/// The outbound policy: the decision itself, the refusal at request time (after resolution, on
/// redirects), in <c>vigil config check</c>, and extracted values that stay with their host. No test
/// connects to a refused address: each asserts the policy's refusal, which comes before any socket.
/// </summary>
[Collection(OutboundPolicyCollection.Name)]
public sealed class OutboundPolicyTests : IAsyncLifetime
{
    private TargetServer target = null!;

    public async Task InitializeAsync() => target = await TargetServer.StartAsync(app =>
    {
        app.MapGet("/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/"));
        app.MapGet("/to-metadata-name", () => Results.Redirect("http://metadata.google.internal/computeMetadata/v1/"));
        app.MapGet("/login", () => Results.Json(new { token = "s3cret-session" }));
        app.MapGet("/me", (HttpContext c) => c.Request.Headers.Authorization.ToString() == "Bearer s3cret-session" ? Results.Text("ok") : Results.StatusCode(401));
    });

    public async Task DisposeAsync()
    {
        OutboundConnector.Current = OutboundPolicy.Default;
        await target.DisposeAsync();
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("fe80::1")]
    public void Link_local_and_metadata_addresses_are_refused_after_resolution(string address)
    {
        var reason = OutboundPolicy.Default.RefuseAddress(IPAddress.Parse(address), "innocent.example.com");

        Assert.NotNull(reason);
        Assert.Contains("innocent.example.com", reason);
        Assert.Contains("outbound.allow", reason);
    }

    [Theory]
    [InlineData("metadata.google.internal")]
    [InlineData("METADATA.google.internal.")]
    [InlineData("169.254.169.254")]
    [InlineData("[fd00:ec2::254]")]
    public void Metadata_names_and_literal_addresses_are_refused_before_resolution(string host) =>
        Assert.NotNull(OutboundPolicy.Default.RefuseHost(host));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.0.10")]
    public void Loopback_and_private_addresses_stay_allowed_by_default(string address) =>
        Assert.Null(OutboundPolicy.Default.RefuseAddress(IPAddress.Parse(address), address));

    [Fact]
    public void Allow_overrides_a_refusal_and_deny_adds_one()
    {
        var policy = OutboundPolicy.From(new OutboundSettings { Allow = ["169.254.10.0/24", "metadata"], Deny = ["10.0.0.0/8", "internal.corp"] });

        Assert.Null(policy.RefuseAddress(IPAddress.Parse("169.254.10.7"), "10.7.example"));
        Assert.NotNull(policy.RefuseAddress(IPAddress.Parse("169.254.169.254"), "x.example"));
        Assert.Null(policy.RefuseHost("metadata"));
        Assert.NotNull(policy.RefuseAddress(IPAddress.Parse("10.2.3.4"), "db.example"));
        Assert.NotNull(policy.RefuseHost("internal.corp"));
    }

    [Fact]
    public async Task A_loopback_redirect_to_the_metadata_address_is_refused_without_connecting_there()
    {
        var result = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Http, Url = target.Url + "/to-metadata" });

        Assert.Equal(MonitorStatus.Down, result.Status);
        Assert.StartsWith("the outbound policy refuses 169.254.169.254", result.Reason);
    }

    [Fact]
    public async Task A_redirect_to_a_metadata_host_name_is_refused_before_it_is_resolved()
    {
        var result = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Http, Url = target.Url + "/to-metadata-name" });

        Assert.Equal(MonitorStatus.Down, result.Status);
        Assert.StartsWith("the outbound policy refuses metadata.google.internal", result.Reason);
    }

    [Fact]
    public async Task Tcp_and_websocket_probes_refuse_a_metadata_address_too()
    {
        var tcp = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Tcp, Host = "169.254.169.254", Port = 80 });
        var websocket = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Websocket, Url = "ws://[fd00:ec2::254]/" });

        Assert.StartsWith("the outbound policy refuses 169.254.169.254", tcp.Reason);
        Assert.Contains("the outbound policy refuses fd00:ec2::254", websocket.Reason);
    }

    private MonitorDefinition TwoSteps(string secondHost) => new()
    {
        Type = MonitorType.MultiStep,
        Steps =
        [
            new() { Url = target.Url + "/login", Extract = new() { ["session"] = "json:token" } },
            new() { Url = target.Url.Replace("127.0.0.1", secondHost, StringComparison.Ordinal) + "/me", Headers = new() { ["Authorization"] = "Bearer ${session}" } },
        ],
    };

    [Fact]
    public async Task An_extracted_value_goes_back_to_its_own_host()
    {
        var result = await Probes.RunAsync(TwoSteps("127.0.0.1"));

        Assert.Equal((MonitorStatus.Up, "2 steps passed"), (result.Status, result.Reason));
    }

    [Fact]
    public async Task An_extracted_value_is_not_sent_to_another_host_unless_extract_to_allows_it()
    {
        var refused = await Probes.RunAsync(TwoSteps("localhost"));
        OutboundConnector.Current = OutboundPolicy.From(new OutboundSettings { ExtractTo = ["localhost"] });
        var allowed = await Probes.RunAsync(TwoSteps("localhost"));

        Assert.Equal(MonitorStatus.Down, refused.Status);
        Assert.Equal("step 2: the value ${session} was read from 127.0.0.1 and may not be sent to localhost; list localhost under outbound.extract_to to allow it", refused.Reason);
        Assert.Equal((MonitorStatus.Up, "2 steps passed"), (allowed.Status, allowed.Reason));
    }

    [Fact]
    public async Task Config_check_refuses_metadata_destinations_with_file_line_and_column()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vigil-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            services:
              - name: api
            monitors:
              - name: imds
                type: http
                service: api
                url: http://169.254.169.254/latest/meta-data/
            notifications:
              dead_mans_switch:
                url: http://metadata.google.internal/
            outbound:
              allow: [not a network/99]
            """);
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = await CliRunner.RunAsync(new RootCommand { ConfigCommand.Create() }, ["config", "check", file], output, error);

            Assert.Equal(1, exit);
            Assert.Contains($"{file}:7:10: the outbound policy refuses 169.254.169.254", error.ToString());
            Assert.Contains($"{file}:10:10: the outbound policy refuses metadata.google.internal", error.ToString());
            Assert.Contains($"{file}:12:11: \"not a network/99\" is not an address, a CIDR range (169.254.0.0/16) or a host name", error.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
