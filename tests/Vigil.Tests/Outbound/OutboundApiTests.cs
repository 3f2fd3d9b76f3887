using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Outbound;

/// <summary>The API refuses metadata destinations with a problem naming the field, and stores nothing.</summary>
public abstract class OutboundApiTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), """
        services:
          - name: api
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field, string reasonStart)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith(reasonStart, errors.GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task A_monitor_aimed_at_the_metadata_address_is_refused_naming_the_field()
    {
        var response = await server.Http.PostAsJsonAsync("/api/monitors", new { name = "imds", type = "http", service = "api", url = "http://169.254.169.254/latest/meta-data/" }, TestServer.Json);
        var steps = await server.Http.PostAsJsonAsync("/api/monitors", new
        {
            name = "exfil",
            type = "multi_step",
            service = "api",
            steps = new object[] { new { url = "http://[fd00:ec2::254]/latest/api/token" } },
        }, TestServer.Json);

        await AssertRefusedAsync(response, "url", "the outbound policy refuses 169.254.169.254");
        await AssertRefusedAsync(steps, "steps[0].url", "the outbound policy refuses fd00:ec2::254");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/monitors/imds")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_cannot_add_a_webhook_contact_method_to_a_metadata_host()
    {
        await server.CreateUserAsync("vic", Features.Access.Role.Viewer);
        var session = await server.SignInAsync("vic", "a long enough password");

        var response = await session.PostAsJsonAsync("/api/users/vic/contact-methods", new { type = "webhook", address = "http://metadata.google.internal/computeMetadata/v1/" }, TestServer.Json);

        await AssertRefusedAsync(response, "address", "the outbound policy refuses metadata.google.internal");
        var methods = await server.GetJsonAsync<JsonElement>("/api/users/vic/contact-methods");
        Assert.Equal(0, methods.GetProperty("contact_methods").GetArrayLength());
    }
}

public sealed class OutboundApiOnSqlite : OutboundApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class OutboundApiOnPostgres(PostgresServer postgres) : OutboundApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
