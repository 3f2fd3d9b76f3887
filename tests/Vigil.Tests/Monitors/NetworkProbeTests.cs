using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Features.Monitors;

namespace Vigil.Tests.Monitors;

public sealed class NetworkProbeTests
{
    [Fact]
    public async Task A_listening_tcp_port_is_up_and_a_closed_one_down()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var open = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Tcp, Host = "127.0.0.1", Port = port });
        var closed = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Tcp, Host = "127.0.0.1", Port = HttpProbeTests.FreePort() });

        Assert.Equal(MonitorStatus.Up, open.Status);
        Assert.Equal((MonitorStatus.Down, "connection refused"), (closed.Status, closed.Reason));
    }

    [Fact]
    public async Task Dns_answers_are_compared_with_the_expected_values()
    {
        using var dns = new DnsResponder(new() { ["api.example.test"] = IPAddress.Parse("10.1.2.3") });
        MonitorDefinition Query(string name, string expected) => new()
        {
            Type = MonitorType.Dns,
            Host = "127.0.0.1",
            Port = dns.Port,
            Query = name,
            RecordType = DnsRecordType.A,
            Expected = [expected],
        };

        var matching = await Probes.RunAsync(Query("api.example.test", "10.1.2.3"));
        var different = await Probes.RunAsync(Query("api.example.test", "10.9.9.9"));
        var unknown = await Probes.RunAsync(Query("nope.example.test", "10.1.2.3"));

        Assert.Equal((MonitorStatus.Up, "10.1.2.3"), (matching.Status, matching.Reason));
        Assert.Equal((MonitorStatus.Down, "answer mismatch: got 10.1.2.3, missing 10.9.9.9"), (different.Status, different.Reason));
        Assert.Equal(MonitorStatus.Down, unknown.Status);
        Assert.StartsWith("DNS error", unknown.Reason);
    }

    [Fact]
    public async Task A_certificate_expiring_in_3_days_is_down_below_the_critical_threshold()
    {
        using var tls = new TlsServer(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));

        var result = await Probes.RunAsync(new MonitorDefinition
        {
            Type = MonitorType.Tls,
            Host = "127.0.0.1",
            Port = tls.Port,
            VerifyTls = false,
            WarningDays = 30,
            CriticalDays = 7,
        });

        Assert.Equal((MonitorStatus.Down, "certificate expires in 3 days"), (result.Status, result.Reason));
        Assert.InRange(result.CertificateExpirySeconds!.Value, 3 * 86400, 3 * 86400 + 3600);
    }

    [Fact]
    public async Task A_certificate_inside_the_warning_threshold_is_degraded()
    {
        using var tls = new TlsServer(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));

        var result = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Tls, Host = "127.0.0.1", Port = tls.Port, VerifyTls = false, CriticalDays = 2 });

        Assert.Equal((MonitorStatus.Degraded, "certificate expires in 3 days"), (result.Status, result.Reason));
    }

    [Fact]
    public async Task A_self_signed_certificate_is_not_trusted_when_verification_is_on()
    {
        using var tls = new TlsServer(TimeSpan.FromDays(90));

        var result = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Tls, Host = "127.0.0.1", Port = tls.Port });

        Assert.Equal(MonitorStatus.Down, result.Status);
        Assert.StartsWith("certificate not trusted", result.Reason);
    }

    [Fact]
    public async Task A_server_without_tls_1_3_fails_a_minimum_of_1_3()
    {
        using var tls = new TlsServer(TimeSpan.FromDays(90), SslProtocols.Tls12);

        var result = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Tls, Host = "127.0.0.1", Port = tls.Port, VerifyTls = false, MinTlsVersion = "1.3" });

        Assert.Equal(MonitorStatus.Down, result.Status);
        Assert.StartsWith("handshake failed offering TLS 1.3", result.Reason);
    }

    [Fact]
    public async Task A_websocket_reply_is_awaited_and_compared()
    {
        await using var target = await TargetServer.StartAsync(app => app.Map("/ws", async (HttpContext c) =>
        {
            using var socket = await c.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, c.RequestAborted);
            await socket.SendAsync(Encoding.UTF8.GetBytes("pong:" + Encoding.UTF8.GetString(buffer, 0, received.Count)), WebSocketMessageType.Text, true, c.RequestAborted);
            await socket.ReceiveAsync(buffer, c.RequestAborted);
        }));
        var url = target.Url.Replace("http://", "ws://") + "/ws";

        var up = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Websocket, Url = url, Send = "ping", Expect = "pong:ping", DegradedAfter = TimeSpan.FromSeconds(1) });
        var mismatch = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Websocket, Url = url, Send = "ping", Expect = "hello" });

        Assert.Equal(MonitorStatus.Up, up.Status);
        Assert.Equal((MonitorStatus.Down, "reply mismatch: does not contain \"hello\""), (mismatch.Status, mismatch.Reason));
    }

    [Fact]
    public async Task A_multi_step_check_carries_extracted_values_into_later_steps()
    {
        await using var target = await TargetServer.StartAsync(app =>
        {
            app.MapPost("/login", () => Results.Json(new { token = "abc123" }));
            app.MapPost("/cart", (HttpRequest r) => r.Headers.Authorization == "Bearer abc123"
                ? Results.Json(new { cart = new { id = 5 } }, statusCode: 201)
                : Results.StatusCode(401));
            app.MapPost("/checkout/{id}", (int id) => id == 5 ? Results.Text("ordered") : Results.NotFound());
        });
        MonitorDefinition Flow(string token) => new()
        {
            Type = MonitorType.MultiStep,
            Steps =
            [
                new() { Name = "log in", Method = "POST", Url = target.Url + "/login", Extract = new() { ["token"] = "json:token" } },
                new() { Name = "add to cart", Method = "POST", Url = target.Url + "/cart", Headers = new() { ["Authorization"] = $"Bearer {token}" }, ExpectedStatus = [201], Extract = new() { ["cart"] = "json:cart.id" } },
                new() { Name = "check out", Method = "POST", Url = target.Url + "/checkout/${cart}", Conditions = [new() { BodyContains = "ordered" }] },
            ],
        };

        var passing = await Probes.RunAsync(Flow("${token}"));
        var failing = await Probes.RunAsync(Flow("wrong"));

        Assert.Equal((MonitorStatus.Up, "3 steps passed"), (passing.Status, passing.Reason));
        Assert.Equal((MonitorStatus.Down, "step 2 (add to cart): status 401"), (failing.Status, failing.Reason));
    }

    [Fact]
    public async Task Loopback_answers_an_icmp_ping()
    {
        var result = await Probes.RunAsync(new MonitorDefinition { Type = MonitorType.Icmp, Host = "127.0.0.1" });

        Assert.Equal(MonitorStatus.Up, result.Status);
    }
}
