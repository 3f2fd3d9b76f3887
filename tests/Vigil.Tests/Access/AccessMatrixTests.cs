using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Access;

/// <summary>
/// Every endpoint the server maps, called by an anonymous caller and by a token of each role:
/// allowed or denied exactly as <see cref="RolePermissions"/> says. A new endpoint without a
/// declared permission fails this test.
/// </summary>
public abstract partial class AccessMatrixTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    // Each caller calls every endpoint once, more than the default 100 API calls a minute; the
    // limit itself is tested in the rate-limit tests.
    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), """
        access:
          rate_limits:
            api: 100000
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private sealed record Mapped(string Method, string Pattern, bool IsPublic, IReadOnlyList<string> Required, bool IsPage, bool IsIntegration = false);

    private List<Mapped> Endpoints() =>
        server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new Mapped(
                method,
                "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'),
                e.Metadata.GetMetadata<PublicEndpointAttribute>() is not null,
                e.Metadata.GetOrderedMetadata<RequirePermissionAttribute>().Select(p => p.Name).ToList(),
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null,
                e.Metadata.GetMetadata<IntegrationTokenAttribute>() is not null)))
            .DistinctBy(e => (e.Method, e.Pattern))
            .OrderBy(e => e.Pattern).ThenBy(e => e.Method)
            .ToList();

    [Fact]
    public void Every_endpoint_declares_a_permission_or_that_it_is_public()
    {
        var undeclared = Endpoints().Where(e => !e.IsPublic && e.Required.Count == 0).Select(e => $"{e.Method} {e.Pattern}").ToList();

        Assert.True(undeclared.Count == 0, "endpoints without RequirePermission(...) or AllowAnonymousCaller():\n" + string.Join("\n", undeclared));
    }

    [Fact]
    public void Only_health_sign_in_and_heartbeat_pings_answer_anonymous_callers()
    {
        var open = Endpoints().Where(e => e.IsPublic).Select(e => e.Pattern).Distinct().Order(StringComparer.Ordinal).ToList();

        // A heartbeat ping is authorised by the secret token in its URL, as in Healthchecks.io and Uptime Kuma;
        // so are a schedule's and a user's calendar feeds, which calendar apps fetch without bearer headers,
        // and a page's one-click acknowledge/resolve link (/respond/{token}: signed, expiring, one page only),
        // followed from a phone's mail or chat app where nobody is signed in.
        // The public status page (/status/{slug}, its history, feed and Statuspage-style JSON) is for visitors who have no account.
        // /health/ready is for load balancers, which send no credentials (it names only what is wrong: database, config).
        // Inbound alerts (/api/v2/alerts, /api/integrations/...) and CI deployment reports (/api/deployments/webhook/{token}) are public at user level: each sender proves itself with
        // its integration's own token, which the endpoint checks (no user's token is accepted there).
        Assert.Equal(
            [
                "/api/deployments/webhook/{token}", "/api/integrations/pagerduty/enqueue", "/api/integrations/webhook/{name}", "/api/schedules/{name}/calendar.ics", "/api/users/{username}/calendar.ics", "/api/v2/alerts",
                "/health", "/health/ready", "/ping/{token}", "/ping/{token}/{kind}", "/respond/{token}", "/signin", "/signout", "/status/{slug}", "/status/{slug}/{**view}",
            ],
            open);
    }

    [Fact]
    public async Task Each_role_and_anonymous_callers_are_allowed_or_denied_as_the_matrix_says()
    {
        var callers = new List<(string Name, HttpClient Client, IReadOnlySet<string>? Permissions)> { ("anonymous", server.Anonymous, null) };
        foreach (var role in Role.All)
        {
            callers.Add((role, await server.ClientFor(role), RolePermissions.Of(role)));
        }
        var wrong = new List<string>();
        var checkedCount = 0;
        foreach (var endpoint in Endpoints())
        {
            foreach (var (name, client, permissions) in callers)
            {
                // An integration endpoint refuses every caller that lacks its integration's token (401).
                var expected = !endpoint.IsIntegration && (endpoint.IsPublic || (permissions is not null && endpoint.Required.Count > 0 && endpoint.Required.All(p => permissions.Contains(p) || permissions.Contains(Permission.Everything))));
                using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), Concrete(endpoint.Pattern));
                if (endpoint.Method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }
                using var response = await client.SendAsync(request);
                // PagerDuty's Events API answers an unknown routing_key with 400 "invalid event".
                var denied = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    || (endpoint.IsIntegration && response.StatusCode == HttpStatusCode.BadRequest)
                    || (endpoint.IsPage && response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.StartsWith("/signin", StringComparison.Ordinal) == true);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    wrong.Add($"{endpoint.Method} {endpoint.Pattern} as {name}: rate-limited after {checkedCount} calls: {await response.Content.ReadAsStringAsync()}");
                    continue;
                }
                if (denied == expected)
                {
                    wrong.Add($"{endpoint.Method} {endpoint.Pattern} as {name}: expected {(expected ? "allowed" : "denied")}, got {(int)response.StatusCode} (requires {string.Join(",", endpoint.Required)})");
                }
                if (!expected && !endpoint.IsPage && !endpoint.IsIntegration)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    Assert.Equal(permissions is null || endpoint.IsIntegration ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, response.StatusCode);
                }
                checkedCount++;
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(checkedCount > 6 * 15, $"only {checkedCount} calls were checked");
    }

    /// <summary>A path for a route pattern, with parameters that name nothing existing (so nothing is changed by accident).</summary>
    private static string Concrete(string pattern) =>
        RouteParameter().Replace(pattern, m => m.Value.Contains(":int", StringComparison.Ordinal) ? "999999" : "nothing-here");

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}

public sealed class AccessMatrixOnSqlite : AccessMatrixTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class AccessMatrixOnPostgres(PostgresServer postgres) : AccessMatrixTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
