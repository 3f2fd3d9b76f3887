using System.Collections;
using System.Net;
using Vigil.Configuration;
using Vigil.Features.Server;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// Behind a load balancer: the test client connects from 127.0.0.1, which plays the proxy. When
/// <c>server.forwarded_headers.trusted_proxies</c> names it, audit entries and rate limits see the
/// client its headers name; when it does not, the headers are ignored.
/// </summary>
public abstract class ForwardedHeadersTests
{
    private const string Limits = """
        access:
          rate_limits:
            health: 3
        """;

    protected abstract Task<string?> DatabaseAsync();

    private async Task<TestServer> StartAsync(string trusted) =>
        await TestServer.StartAsync(await DatabaseAsync(), $"""
            server:
              forwarded_headers:
                trusted_proxies: [{trusted}]
            {Limits}
            """);

    private static async Task<HttpResponseMessage> FailedSignInAsync(TestServer server, string header, string value)
    {
        var browser = server.NewBrowser();
        browser.DefaultRequestHeaders.Add(header, value);
        return await TestServer.PostSignInFormAsync(browser, "nobody", "wrong password");
    }

    private static async Task<HttpStatusCode> HealthFromAsync(TestServer server, string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add(header, value);
        return (await server.Anonymous.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Through_a_trusted_proxy_the_audit_log_records_the_forwarded_client_address()
    {
        await using var server = await StartAsync("127.0.0.1, 10.0.0.0/8");

        await FailedSignInAsync(server, "X-Forwarded-For", "203.0.113.7, 10.1.2.3");

        var entry = (await server.AuditAsync()).Last(e => e.Action == "sign_in_failed");
        // 10.1.2.3 is a trusted proxy too; the first address that is not is the client.
        Assert.Equal("203.0.113.7", entry.IpAddress);
    }

    [Fact]
    public async Task The_standard_forwarded_header_with_a_quoted_ipv6_address_and_port_names_the_client()
    {
        await using var server = await StartAsync("127.0.0.1");

        await FailedSignInAsync(server, "Forwarded", "for=\"[2001:db8::7]:4711\";proto=https, for=198.51.100.9");

        var entry = (await server.AuditAsync()).Last(e => e.Action == "sign_in_failed");
        // Rightmost untrusted: 198.51.100.9 is not a trusted proxy, so what it claims is not believed.
        Assert.Equal("198.51.100.9", entry.IpAddress);
    }

    [Fact]
    public async Task Through_a_trusted_proxy_each_forwarded_client_has_its_own_rate_limit()
    {
        await using var server = await StartAsync("127.0.0.1");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await HealthFromAsync(server, "X-Forwarded-For", "203.0.113.7"));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, await HealthFromAsync(server, "X-Forwarded-For", "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await HealthFromAsync(server, "X-Forwarded-For", "203.0.113.8"));
        Assert.Equal(HttpStatusCode.OK, await HealthFromAsync(server, "Forwarded", "for=203.0.113.9"));
    }

    [Fact]
    public async Task Forwarded_headers_from_a_peer_that_is_not_a_trusted_proxy_are_ignored()
    {
        await using var server = await StartAsync("10.0.0.0/8");

        await FailedSignInAsync(server, "X-Forwarded-For", "203.0.113.7");
        await FailedSignInAsync(server, "Forwarded", "for=203.0.113.8");

        Assert.All((await server.AuditAsync()).Where(e => e.Action == "sign_in_failed"), e => Assert.Equal("127.0.0.1", e.IpAddress));
        // Every request counts against the proxy's own address, whatever it claims.
        Assert.Equal(HttpStatusCode.OK, await HealthFromAsync(server, "X-Forwarded-For", "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await HealthFromAsync(server, "X-Forwarded-For", "203.0.113.8"));
        Assert.Equal(HttpStatusCode.OK, await HealthFromAsync(server, "Forwarded", "for=203.0.113.9"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await HealthFromAsync(server, "X-Forwarded-For", "203.0.113.10"));
    }
}

public sealed class ForwardedHeadersOnSqlite : ForwardedHeadersTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class ForwardedHeadersOnPostgres(PostgresServer postgres) : ForwardedHeadersTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}

/// <summary>The <c>Forwarded</c> header (RFC 7239) and the trust list, as pure functions.</summary>
public sealed class ForwardedElementsTests
{
    private static readonly Func<IPAddress, bool> TrustTen = a => a.GetAddressBytes() is [10, ..];

    [Theory]
    [InlineData("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60", null, "http")]
    [InlineData("For=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17", 4711, null)]
    [InlineData("for=\"192.0.2.43:47011\"", "192.0.2.43", 47011, null)]
    [InlineData("for=192.0.2.43, for=198.51.100.17", "198.51.100.17", null, null)]
    [InlineData("proto=HTTPS;for=\"192.0.2.1\"", "192.0.2.1", null, "https")]
    public void A_well_formed_header_is_read_as_rfc_7239_writes_it(string header, string address, int? port, string? proto)
    {
        var elements = ForwardedElements.Parse([header])!;
        var last = elements[^1];

        Assert.Equal(IPAddress.Parse(address), last.For);
        Assert.Equal(port, last.ForPort);
        Assert.Equal(proto, last.Proto);
    }

    [Theory]
    [InlineData("for=[2001:db8::1]")]            // an IPv6 node must be quoted (§6)
    [InlineData("for=192.0.2.1:80")]             // so must a port
    [InlineData("for=192.0.2.1;for=192.0.2.2")]  // a parameter twice in one element (§4)
    [InlineData("for=\"192.0.2.1")]              // an unterminated quoted-string
    [InlineData("for=example.com")]              // a node is an address, unknown or _obfuscated
    [InlineData("for=192.0.2.1;proto=1http")]
    [InlineData("garbage")]
    public void A_malformed_header_is_refused_whole(string header) =>
        Assert.Null(ForwardedElements.Parse([header]));

    [Fact]
    public void Several_header_fields_read_as_one_list() =>
        Assert.Equal(2, ForwardedElements.Parse(["for=192.0.2.1", "for=10.0.0.2"])!.Count);

    [Fact]
    public void The_client_is_the_rightmost_address_that_is_not_a_trusted_proxy()
    {
        var elements = ForwardedElements.Parse(["for=198.51.100.1, for=203.0.113.5;proto=https, for=10.0.0.7;proto=http"])!;

        var client = ForwardedElements.Resolve(IPAddress.Parse("10.0.0.1"), 5000, elements, TrustTen)!;

        Assert.Equal(IPAddress.Parse("203.0.113.5"), client.Address);
        Assert.Equal("https", client.Proto);
    }

    [Fact]
    public void A_peer_that_is_not_trusted_is_not_believed() =>
        Assert.Null(ForwardedElements.Resolve(IPAddress.Parse("192.0.2.1"), 5000, ForwardedElements.Parse(["for=203.0.113.5"])!, TrustTen));

    [Fact]
    public void An_unknown_or_obfuscated_client_leaves_the_last_known_address()
    {
        var elements = ForwardedElements.Parse(["for=unknown, for=\"_hidden:_port\", for=10.0.0.9"])!;

        var client = ForwardedElements.Resolve(IPAddress.Parse("10.0.0.1"), 5000, elements, TrustTen)!;

        Assert.Equal(IPAddress.Parse("10.0.0.9"), client.Address);
    }

    [Theory]
    [InlineData("10.0.0.5", null)]
    [InlineData("10.0.0.0/8", null)]
    [InlineData("2001:db8::/32", null)]
    [InlineData("10.0.0.1/8", "bits set beyond the /8 prefix")]
    [InlineData("10.0.0.0/33", "prefix length must be 0 to 32")]
    [InlineData("proxy.example.com", "not an IP address")]
    [InlineData("10.0.0/8", "not an IP address")]
    public void A_trusted_proxy_is_an_address_or_a_cidr_network(string entry, string? reason)
    {
        var error = ForwardedHeaders.ParseError(entry);

        if (reason is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(reason, error);
        }
    }

    [Fact]
    public void An_invalid_network_in_the_file_is_refused_with_its_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vigil-forwarded-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, """
            server:
              forwarded_headers:
                trusted_proxies:
                  - 10.0.0.0/8
                  - 10.0.0.0/40
            """);
        try
        {
            var loaded = ConfigLoader.Load(path, new Hashtable());

            var error = Assert.Single(loaded.Errors);
            Assert.Equal(5, error.Line);
            Assert.Contains("prefix length must be 0 to 32", error.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
