using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Access;

/// <summary>Querying and exporting the audit log, on SQLite and on PostgreSQL.</summary>
public abstract class AuditLogApiTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync());

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task CreateServiceAsync(string name) =>
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsJsonAsync("/api/services", new { name })).StatusCode);

    [Fact]
    public async Task The_audit_log_is_filtered_by_user_action_resource_and_time_range_and_paged()
    {
        await CreateServiceAsync("ledger");
        server.Clock.Advance(TimeSpan.FromHours(1));
        var afterFirst = server.Clock.GetUtcNow();
        await CreateServiceAsync("billing");
        await server.Http.DeleteAsync("/api/services/billing");

        var created = await server.GetJsonAsync<JsonElement>("/api/audit?resource=service&action=create");
        var recent = await server.GetJsonAsync<JsonElement>($"/api/audit?resource=service&from={Uri.EscapeDataString(afterFirst.ToString("o"))}");
        var byUser = await server.GetJsonAsync<JsonElement>($"/api/audit?user={TestServer.AdminUsername}&resource=service&page_size=1&page=2");

        Assert.Equal(["billing", "ledger"], created.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("resource_id").GetString()));
        Assert.Equal(["delete", "create"], recent.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(3, byUser.GetProperty("total").GetInt32());
        Assert.Equal("create", byUser.GetProperty("entries")[0].GetProperty("action").GetString());
        Assert.Equal("billing", byUser.GetProperty("entries")[0].GetProperty("resource_id").GetString());
    }

    [Fact]
    public async Task The_audit_log_exports_as_csv_with_the_seeds_columns()
    {
        await CreateServiceAsync("ledger");

        var response = await server.Http.GetAsync("/api/audit/export.csv?resource=service");
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("id,created_at,user_id,username,action,resource,resource_id,ip_address,user_agent,metadata", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Contains($",{TestServer.AdminUsername},create,service,ledger,127.0.0.1,", lines[1]);
        Assert.Contains("2026-11-02T09:00:00.000Z", lines[1]);
    }

    [Fact]
    public async Task Only_admins_read_the_audit_log()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await (await server.ClientFor(Role.Manager)).GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await server.ClientFor(Role.Admin)).GetAsync("/api/audit")).StatusCode);
    }
}

public sealed class AuditLogApiOnSqlite : AuditLogApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class AuditLogApiOnPostgres(PostgresServer postgres) : AuditLogApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
