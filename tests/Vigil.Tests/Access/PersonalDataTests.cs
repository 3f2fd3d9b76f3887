using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Access;

/// <summary>GDPR export and erasure, secrets at rest, and audit retention, on SQLite and on PostgreSQL.</summary>
public abstract class PersonalDataTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync());

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task An_admin_exports_everything_about_a_user_and_the_export_is_audited()
    {
        var id = await server.CreateUserAsync("lena", Role.Operator);
        var session = await server.SignInAsync("lena", "a long enough password");
        await TestServer.CreateTokenAsync(session, "laptop", Role.Viewer);
        var admin = await server.ClientFor(Role.Admin);

        var export = await admin.GetFromJsonAsync<JsonElement>($"/api/users/{id}/export", TestServer.Json);

        Assert.Equal("lena", export.GetProperty("user").GetProperty("username").GetString());
        Assert.Equal("laptop", export.GetProperty("tokens")[0].GetProperty("name").GetString());
        Assert.Contains(export.GetProperty("audit_entries").EnumerateArray(), e => e.GetProperty("action").GetString() == "sign_in");
        Assert.DoesNotContain("password_hash", export.ToString());
        var entry = (await server.AuditAsync()).Last();
        Assert.Equal(("export", "user", id.ToString(), "127.0.0.1"), (entry.Action, entry.Resource, entry.ResourceId, entry.IpAddress));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await server.ClientFor(Role.Manager)).GetAsync($"/api/users/{id}/export")).StatusCode);
    }

    [Fact]
    public async Task Erasing_a_user_removes_personal_fields_keeps_audit_entries_under_a_pseudonym_and_ends_their_access()
    {
        var id = await server.CreateUserAsync("mo", Role.Viewer);
        var session = await server.SignInAsync("mo", "a long enough password");
        var token = await TestServer.CreateTokenAsync(session, "script", Role.Viewer);
        var admin = await server.ClientFor(Role.Admin);

        var erased = await admin.DeleteAsync($"/api/users/{id}");

        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        var user = await server.QueryAsync(db => Task.FromResult(db.Users.Single(u => u.Id == id)));
        Assert.Equal((PersonalData.Pseudonym(id), null, null, null), (user.Username, user.Email, user.DisplayName, user.PasswordHash));
        var entries = await server.AuditAsync();
        Assert.DoesNotContain(entries, e => e.Username == "mo");
        Assert.Contains(entries, e => e.UserId == id && e.Action == "sign_in" && e.Username == PersonalData.Pseudonym(id));
        Assert.Equal(("erase", "user", id.ToString(), "127.0.0.1"), (entries.Last().Action, entries.Last().Resource, entries.Last().ResourceId, entries.Last().IpAddress));
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.WithToken(token.Token).GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task An_admin_cannot_erase_a_super_admin_nor_themselves()
    {
        var root = await server.CreateUserAsync("root", Role.SuperAdmin);
        var admin = await server.ClientFor(Role.Admin);

        Assert.Equal(HttpStatusCode.Forbidden, (await admin.DeleteAsync($"/api/users/{root}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.DeleteAsync($"/api/users/{server.AdminId}")).StatusCode);
    }

    [Fact]
    public async Task Secrets_are_stored_encrypted_and_read_back()
    {
        var protector = server.Services.GetRequiredService<SecretProtector>();

        var stored = protector.Protect("https://hooks.slack.com/services/T000/B000/XXXX");

        Assert.DoesNotContain("hooks.slack.com", stored);
        Assert.Equal("https://hooks.slack.com/services/T000/B000/XXXX", protector.Unprotect(stored));
        // The key is in the database, where every replica reads it, not in the data directory.
        Assert.NotEqual(0, await server.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.DataProtectionKeys)));
        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "keys")));
    }

    [Fact]
    public async Task Entries_past_retention_are_archived_to_a_compressed_file_then_deleted()
    {
        await server.Http.PostAsJsonAsync("/api/services", new { name = "old" });
        server.Clock.Advance(TimeSpan.FromDays(60));
        await server.Http.PostAsJsonAsync("/api/services", new { name = "recent" });
        var retention = server.Services.GetRequiredService<ArchiveAuditLog>();
        var before = await server.AuditAsync();

        // The server's hourly loop runs on the fake clock too; RunOnceAsync waits for a pass in progress.
        server.Clock.Advance(TimeSpan.FromDays(31));
        await retention.RunOnceAsync(CancellationToken.None);

        var after = await server.AuditAsync();
        var expired = before.Where(e => e.CreatedAt < server.Clock.GetUtcNow() - TimeSpan.FromDays(90)).ToList();
        Assert.Contains(expired, e => e.ResourceId == "old");
        Assert.Equal(before.Count - expired.Count, after.Count);
        Assert.Contains(after, e => e.ResourceId == "recent");
        var file = Assert.Single(Directory.GetFiles(retention.Directory, "*.jsonl.gz"));
        await using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        var lines = (await new StreamReader(gzip).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expired.Select(e => e.Id), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()));
        Assert.Contains("\"resource_id\":\"old\"", lines.Single(l => l.Contains("\"resource\":\"service\"")));
        Assert.Equal(0, await retention.RunOnceAsync(CancellationToken.None));
    }
}

public sealed class PersonalDataOnSqlite : PersonalDataTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class PersonalDataOnPostgres(PostgresServer postgres) : PersonalDataTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
