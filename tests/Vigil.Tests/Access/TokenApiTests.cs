using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Access;

/// <summary>API tokens and rate limits, on SQLite and on PostgreSQL.</summary>
public abstract class TokenApiTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync());

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_token_is_shown_once_stored_as_a_hash_and_its_creation_audited()
    {
        var viewer = await server.ClientFor(Role.Viewer);

        var created = await TestServer.CreateTokenAsync(viewer, "grafana", Role.Viewer);

        Assert.StartsWith(ApiToken.Prefix, created.Token);
        var stored = await server.QueryAsync(db => Task.FromResult(db.ApiTokens.Single(t => t.Id == created.Id)));
        Assert.Equal(ApiToken.HashOf(created.Token), stored.Hash);
        Assert.DoesNotContain(created.Token, JsonSerializer.Serialize(stored));
        var listed = await viewer.GetStringAsync("/api/tokens");
        Assert.Contains("grafana", listed);
        Assert.DoesNotContain(created.Token, listed);
        var entry = (await server.AuditAsync()).Last();
        Assert.Equal(("create", "api_token", created.Id.ToString(), TestServer.AdminUsername, "127.0.0.1"),
            (entry.Action, entry.Resource, entry.ResourceId, entry.Username, entry.IpAddress));
        Assert.Contains("\"role\":\"viewer\"", entry.Metadata);
    }

    [Fact]
    public async Task A_viewer_token_cannot_create_an_admin_token()
    {
        var viewer = await server.ClientFor(Role.Viewer);
        var before = (await server.AuditAsync()).Count;

        var response = await viewer.PostAsJsonAsync("/api/tokens", new { name = "escalate", role = Role.Admin }, TestServer.Json);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("role", out _), problem.ToString());
        Assert.Equal(before, (await server.AuditAsync()).Count);
        Assert.DoesNotContain("escalate", await server.Http.GetStringAsync("/api/tokens?all=true"));
    }

    [Fact]
    public async Task An_admin_cannot_mint_a_super_admin_token()
    {
        var admin = await server.ClientFor(Role.Admin);

        var response = await admin.PostAsJsonAsync("/api/tokens", new { name = "root", role = Role.SuperAdmin }, TestServer.Json);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_at_once_and_the_revocation_audited()
    {
        var token = await TestServer.CreateTokenAsync(server.Http, "ci", Role.Operator);
        var client = server.WithToken(token.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/services")).StatusCode);

        var revoked = await server.Http.DeleteAsync($"/api/tokens/{token.Id}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        var refused = await client.GetAsync("/api/services");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync());
        var entry = (await server.AuditAsync()).Last();
        Assert.Equal(("revoke", "api_token", token.Id.ToString(), TestServer.AdminUsername, "127.0.0.1"),
            (entry.Action, entry.Resource, entry.ResourceId, entry.Username, entry.IpAddress));
    }

    /// <summary>Whether this database's server keeps tokens it read (<see cref="TokenLookups"/>: one process, SQLite).</summary>
    protected virtual bool KeepsTokens => false;

    [Fact]
    public async Task A_token_revoked_around_vigils_own_saves_is_refused_within_the_lifetime_of_a_kept_token()
    {
        var token = await TestServer.CreateTokenAsync(server.Http, "remote-write", Role.Operator);
        var client = server.WithToken(token.Token);
        var lookups = server.Services.GetRequiredService<TokenLookups>();
        var saves = lookups.VersionBeforeRead;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/services")).StatusCode);

        // A bulk statement, as another process on the same database file (vigil admin) writes: no save of this server sees it.
        var at = server.Clock.GetUtcNow();
        await server.QueryAsync(db => db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, (DateTimeOffset?)at)));

        // One process keeps the token it read (a busy sender is not a database read per request) ...
        var kept = (await client.GetAsync("/api/services")).StatusCode;
        if (!KeepsTokens)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, kept);
        }
        else if (lookups.VersionBeforeRead == saves)
        {
            Assert.Equal(HttpStatusCode.OK, kept);
        }
        // (Otherwise a token, user or role was saved meanwhile, and the kept token was rightly read
        // again: the versions are per process, and other tests' servers in this process save too.)
        // ... for at most its lifetime.
        server.Clock.Advance(TokenLookups.Lifetime + TimeSpan.FromSeconds(1));
        var refused = await client.GetAsync("/api/services");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_expired_token_is_refused_and_use_is_recorded()
    {
        var response = await server.Http.PostAsJsonAsync("/api/tokens", new { name = "short", role = Role.Viewer, expires_in = "1h" }, TestServer.Json);
        var token = (await response.Content.ReadFromJsonAsync<TestServer.CreatedToken>(TestServer.Json))!;
        var client = server.WithToken(token.Token);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/services")).StatusCode);
        Assert.Equal(server.Clock.GetUtcNow(), await server.QueryAsync(db => Task.FromResult(db.ApiTokens.Single(t => t.Id == token.Id).LastUsedAt)));
        server.Clock.Advance(TimeSpan.FromHours(1));

        var refused = await client.GetAsync("/api/services");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("expired", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_token_never_does_more_than_its_owner_may_do_now()
    {
        var created = await server.Http.PostAsJsonAsync("/api/users", new { username = "dana", password = "a long enough password", roles = new[] { new { role = Role.Manager } } }, TestServer.Json);
        var dana = (await created.Content.ReadFromJsonAsync<JsonElement>(TestServer.Json)).GetProperty("user").GetProperty("id").GetInt32();
        var session = await server.SignInAsync("dana", "a long enough password");
        var token = await TestServer.CreateTokenAsync(session, "deploys", Role.Manager);
        var client = server.WithToken(token.Token);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/services", new { }, TestServer.Json)).StatusCode);

        var demoted = await server.Http.PutAsJsonAsync($"/api/users/{dana}/roles", new { roles = new[] { new { role = Role.Viewer } } }, TestServer.Json);

        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/services", new { }, TestServer.Json)).StatusCode);
        var entry = (await server.AuditAsync()).Last();
        Assert.Equal(("roles_change", "user", dana.ToString(), TestServer.AdminUsername, "127.0.0.1"), (entry.Action, entry.Resource, entry.ResourceId, entry.Username, entry.IpAddress));
        Assert.Contains("\"role\":\"viewer\"", entry.Metadata);
        var creation = (await server.AuditAsync()).Single(e => e.Action == "create" && e.Resource == "user" && e.ResourceId == dana.ToString());
        Assert.Equal((TestServer.AdminUsername, "127.0.0.1"), (creation.Username, creation.IpAddress));
    }

    [Fact]
    public async Task A_burst_of_150_api_requests_in_a_minute_gets_100_answered_and_50_refused_with_retry_after()
    {
        var client = await server.ClientFor(Role.Viewer);
        server.Clock.Advance(TimeSpan.FromSeconds(15));
        var statuses = new List<HttpStatusCode>();
        string? retryAfter = null;
        string? problemType = null;

        for (var i = 0; i < 150; i++)
        {
            using var response = await client.GetAsync("/api/services");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                retryAfter ??= response.Headers.RetryAfter?.ToString();
                problemType ??= response.Content.Headers.ContentType?.MediaType;
            }
            if (i % 10 == 9)
            {
                server.Clock.Advance(TimeSpan.FromSeconds(0.3));
            }
        }

        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.All(statuses.Skip(100), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal("application/problem+json", problemType);
        // The window began with the first request; 100 requests took 3 s of the fake clock.
        Assert.Equal("57", retryAfter);
        // Other clients have their own budget, and the window ends a minute after it began.
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/services")).StatusCode);
        server.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/services")).StatusCode);
    }
}

public sealed class TokenApiOnSqlite : TokenApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);

    protected override bool KeepsTokens => true;
}

[Collection(PostgresCollection.Name)]
public sealed class TokenApiOnPostgres(PostgresServer postgres) : TokenApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
