using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>Prometheus and vmalert post to <c>/api/v2/alerts</c> as to an Alertmanager, with their integration's token.</summary>
public abstract class AlertmanagerApiTests : IAsyncLifetime
{
    private const string Token = "prometheus-integration-token-0123456789";
    private TestServer server = null!;
    private HttpClient prometheus = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        // Started with a config file (so that reloads read one), then given the integration.
        server = await TestServer.StartAsync(await DatabaseAsync(), "alerting:\n  evaluation_interval: 1m\n");
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "prometheus.token"), Token + "\n");
        await server.WriteConfigAsync("""
            alerting:
              integrations:
                - name: prometheus
                  type: alertmanager
                  token_file: prometheus.token
            """);
        var reload = await server.Http.PostAsync("/-/reload", null);
        Assert.True(reload.IsSuccessStatusCode, await reload.Content.ReadAsStringAsync());
        prometheus = server.WithToken(Token);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Alerts_posted_as_Prometheus_posts_them_are_stored_with_their_times()
    {
        var response = await prometheus.PostAsync("/api/v2/alerts", Body("""
            [{"labels":{"alertname":"HighErrorRate","service":"api","severity":"critical"},
              "annotations":{"summary":"5xx above 5%"},
              "startsAt":"2026-11-02T08:55:00Z","endsAt":"2026-11-02T09:04:00Z",
              "generatorURL":"http://prometheus:9090/graph?g0.expr=up&g0.tab=1"}]
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single(await server.StoredAlertsAsync());
        Assert.Equal(Labels.Of("alertname", "HighErrorRate", "service", "api", "severity", "critical"), stored.Labels);
        Assert.Equal(("alertmanager", "5xx above 5%"), (stored.Source, stored.Annotations.Get("summary")));
        Assert.Equal((DateTimeOffset.Parse("2026-11-02T08:55:00Z"), DateTimeOffset.Parse("2026-11-02T09:04:00Z")), (stored.StartsAt, stored.EndsAt));
        Assert.Equal("http://prometheus:9090/graph?g0.expr=up&g0.tab=1", stored.GeneratorUrl);
    }

    [Theory]
    [InlineData("""[{"labels":{}}]""", "[0].labels", "at least one label pair required")]
    [InlineData("""[{"labels":{"alertname":"A"}},{"labels":{"bad-name":"x"}}]""", "[1].labels", "invalid label set: invalid name \"bad-name\"")]
    [InlineData("""[{"labels":{"alertname":"A"},"startsAt":"2026-11-02T09:00:00Z","endsAt":"2026-11-02T08:00:00Z"}]""", "[0].endsAt", "start time must be before end time")]
    [InlineData("""{"labels":{"alertname":"A"}}""", "", "expected a JSON list of alerts")]
    public async Task An_invalid_batch_is_refused_with_the_reason_and_stores_nothing(string json, string field, string reason)
    {
        var response = await prometheus.PostAsync("/api/v2/alerts", Body(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(reason, errors.GetProperty(field)[0].GetString());
        Assert.Empty(await server.StoredAlertsAsync());
    }

    [Fact]
    public async Task Only_an_integration_token_is_accepted_not_a_user_token()
    {
        var alert = Body("""[{"labels":{"alertname":"A"}}]""");

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous.PostAsync("/api/v2/alerts", alert)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.PostAsync("/api/v2/alerts", Body("""[{"labels":{"alertname":"A"}}]"""))).StatusCode);
        var wrong = new HttpClient { BaseAddress = server.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsync("/api/v2/alerts", Body("""[{"labels":{"alertname":"A"}}]"""))).StatusCode);
        Assert.Empty(await server.StoredAlertsAsync());
    }
}

public sealed class AlertmanagerApiOnSqlite : AlertmanagerApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class AlertmanagerApiOnPostgres(PostgresServer postgres) : AlertmanagerApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
