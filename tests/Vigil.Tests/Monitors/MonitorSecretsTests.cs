using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Features.Monitors;
using Vigil.Tests.Support;

namespace Vigil.Tests.Monitors;

/// <summary>
/// Heartbeat tokens and secret header values are encrypted at rest (the token also hashed for the
/// ping lookup), yet pings, probes and editors work with them; rows written in clear by an older
/// Vigil are encrypted at start. Run once against SQLite and once against PostgreSQL.
/// </summary>
public abstract class MonitorSecretsTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: api
        """;

    private const string HeaderSecret = "Bearer s3cr3t-header-value";
    private const string Token = "my-own-heartbeat-token-0123456789";

    private readonly List<string?> receivedAuthorization = [];
    private TestServer server = null!;
    private TargetServer target = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        target = await TargetServer.StartAsync(app => app.MapGet("/secure", (HttpRequest r) =>
        {
            lock (receivedAuthorization)
            {
                receivedAuthorization.Add(r.Headers.Authorization.ToString());
            }
            return Results.Text("ok");
        }));
        server = await TestServer.StartAsync(await DatabaseAsync(), Config);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await target.DisposeAsync();
    }

    private async Task CreateMonitorsAsync()
    {
        await PostOkAsync("/api/monitors", $$"""{"name": "nightly-backup", "type": "heartbeat", "service": "api", "period": "1h", "grace": "5m", "token": "{{Token}}"}""");
        await PostOkAsync("/api/monitors", $$$"""{"name": "secure-api", "type": "http", "service": "api", "url": "{{{target.Url}}}/secure", "interval": "1h", "headers": {"Authorization": "{{{HeaderSecret}}}", "X-Trace": "visible"}}""");
    }

    private async Task<JsonElement> PostOkAsync(string path, string? body = null)
    {
        var response = await server.Http.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Every column of every monitor row, read with plain SQL through the server's own connection.</summary>
    private Task<string> RawRowsAsync() => server.QueryAsync(async db =>
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM monitors_monitors";
            await using var reader = await command.ExecuteReaderAsync();
            var text = new StringBuilder();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }
                text.AppendLine();
            }
            return text.ToString();
        }
        finally
        {
            await connection.CloseAsync();
        }
    });

    private async Task AssertSecretsWorkAsync()
    {
        Assert.Equal("OK\n", await server.Http.GetStringAsync($"/ping/{Token}"));
        Assert.Equal("up", (await server.GetJsonAsync<JsonElement>("/api/monitors/nightly-backup")).GetProperty("status").GetString());

        var check = await PostOkAsync("/api/monitors/secure-api/check");
        Assert.Equal("up", check.GetProperty("result").GetString());
        lock (receivedAuthorization)
        {
            Assert.Equal(HeaderSecret, receivedAuthorization[^1]);
        }

        var editor = await server.GetJsonAsync<JsonElement>("/api/monitors/secure-api");
        Assert.Equal(HeaderSecret, editor.GetProperty("definition").GetProperty("headers").GetProperty("Authorization").GetString());
        var editorHeartbeat = await server.GetJsonAsync<JsonElement>("/api/monitors/nightly-backup");
        Assert.Equal($"/ping/{Token}", editorHeartbeat.GetProperty("ping_url").GetString());
        Assert.Equal(Token, editorHeartbeat.GetProperty("definition").GetProperty("token").GetString());
        Assert.Contains($"<code>/ping/{Token}</code>", await server.Http.GetStringAsync("/monitors/nightly-backup"));

        var viewer = await server.ClientFor(Role.Viewer);
        var viewed = await viewer.GetStringAsync("/api/monitors");
        Assert.DoesNotContain(Token, viewed);
        Assert.DoesNotContain("s3cr3t", viewed);
        Assert.Contains("visible", viewed);
    }

    [Fact]
    public async Task The_database_holds_neither_token_nor_secret_header_in_clear_while_pings_probes_and_editors_still_work()
    {
        await CreateMonitorsAsync();

        var raw = await RawRowsAsync();
        Assert.Contains("nightly-backup", raw);
        Assert.Contains("visible", raw);
        Assert.DoesNotContain(Token, raw);
        Assert.DoesNotContain("s3cr3t", raw);
        Assert.Contains(ApiToken.HashOf(Token), raw);

        await AssertSecretsWorkAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/ping/{ApiToken.HashOf(Token)}")).StatusCode);
    }

    [Fact]
    public async Task Rows_stored_in_clear_by_an_older_vigil_keep_working_and_are_encrypted_at_the_next_start()
    {
        await CreateMonitorsAsync();
        // Write the rows back as the Vigil before encryption did: the token in its column and in the definition, headers as given.
        await server.QueryAsync(async db =>
        {
            var secrets = server.Services.GetRequiredService<SecretProtector>();
            foreach (var row in await db.Set<StoredMonitor>().ToListAsync())
            {
                var clear = row.Definition(secrets);
                row.Token = clear.Token;
                row.DefinitionJson = JsonSerializer.Serialize(clear, Vigil.Data.DefinitionJson.Options);
            }
            return await db.SaveChangesAsync();
        });
        var before = await RawRowsAsync();
        Assert.Contains(Token, before);
        Assert.Contains("s3cr3t", before);

        server = await server.RestartAsync(TimeSpan.FromMinutes(1));

        var after = await RawRowsAsync();
        Assert.DoesNotContain(Token, after);
        Assert.DoesNotContain("s3cr3t", after);
        await AssertSecretsWorkAsync();
    }
}

public sealed class MonitorSecretsOnSqlite : MonitorSecretsTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class MonitorSecretsOnPostgres(PostgresServer postgres) : MonitorSecretsTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
