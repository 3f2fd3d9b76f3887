using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>
/// The real amtool 0.25 (Debian's prometheus-alertmanager) pointed at Vigil as at an Alertmanager:
/// <c>--alertmanager.url</c> is Vigil's base URL, the API token goes in amtool's
/// <c>--http.config.file</c> (as a bearer credential or as the basic-auth password).
/// </summary>
public abstract partial class AmtoolTests : IAsyncLifetime
{
    private const string Amtool = "/usr/bin/amtool";
    private const string IntegrationToken = "prometheus-integration-token-0123456789";
    private TestServer server = null!;
    private string bearerConfig = null!;
    private string basicConfig = null!;

    protected abstract Task<string?> DatabaseAsync();

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex Uuid();

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(await DatabaseAsync(), "alerting:\n  evaluation_interval: 1m\n");
        // amtool stamps silences with the machine's clock: the server's clock is moved to it.
        server.Clock.SetUtcNow(TimeProvider.System.GetUtcNow());
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "prometheus.token"), IntegrationToken + "\n");
        await server.WriteConfigAsync("""
            alerting:
              integrations:
                - name: prometheus
                  type: alertmanager
                  token_file: prometheus.token
            channels:
              - name: oncall
                type: webhook
                url: http://127.0.0.1:9/oncall
              - name: dba
                type: webhook
                url: http://127.0.0.1:9/dba
            routing:
              route:
                receiver: oncall
                group_by: [alertname, job]
                group_wait: 1h
                routes:
                  - receiver: dba
                    matchers: ['service="db"']
            """);
        var reload = await server.Http.PostAsync("/-/reload", null);
        Assert.True(reload.IsSuccessStatusCode, await reload.Content.ReadAsStringAsync());
        var token = (await TestServer.CreateTokenAsync(server.Http, "amtool", Vigil.Features.Access.Role.Operator)).Token;
        bearerConfig = Path.Combine(server.DataDirectory, "amtool-bearer.yml");
        await File.WriteAllTextAsync(bearerConfig, $"authorization:\n  credentials: {token}\n");
        basicConfig = Path.Combine(server.DataDirectory, "amtool-basic.yml");
        await File.WriteAllTextAsync(basicConfig, $"basic_auth:\n  username: anyone\n  password: {token}\n");
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<ExternalTool.Run> AmtoolAsync(string httpConfig, params string[] args)
    {
        var run = await ExternalTool.RunAsync(Amtool, server.DataDirectory, ["--alertmanager.url", server.BaseAddress.ToString(), "--http.config.file", httpConfig, .. args]);
        // amtool starts a silence at its own "now", a moment after the server's clock was last set.
        server.Clock.SetUtcNow(TimeProvider.System.GetUtcNow());
        return run;
    }

    /// <summary>The two firing HighErrorRate alerts (api-1, api-2) Alertmanager 0.25 was sent in the captured fixture, posted as Prometheus posts them.</summary>
    private async Task PostFixtureAlertsAsync()
    {
        var body = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Shared, "fixtures", "alertmanager-0.25", "posted", "step1.json"));
        var prometheus = server.WithToken(IntegrationToken);
        var response = await prometheus.PostAsync("/api/v2/alerts", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static List<string> Lines(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd())];

    [Fact]
    public async Task Amtool_alert_query_lists_the_firing_alerts_and_leaves_out_silenced_ones_as_against_alertmanager()
    {
        await PostFixtureAlertsAsync();

        var query = await AmtoolAsync(bearerConfig, "alert", "query");

        Assert.True(query.Exit == 0, query.ToString());
        // amtool's simple table: alert name, start, the summary annotation, state; one line per alert.
        Assert.Equal(
            [
                "Alertname      Starts At                Summary                   State",
                "HighErrorRate  2026-11-22 20:02:03 UTC  High error rate detected  active",
                "HighErrorRate  2026-11-22 20:02:03 UTC  High error rate detected  active",
            ],
            Lines(query.Output));

        var add = await AmtoolAsync(bearerConfig, "silence", "add", "instance=api-1:8080", "--comment", "deploying api-1", "--duration", "2h");
        Assert.True(add.Exit == 0, add.ToString());
        var id = add.Output.Trim();
        Assert.Matches(Uuid(), id);

        var filtered = await AmtoolAsync(basicConfig, "-o", "extended", "alert", "query", "alertname=HighErrorRate");
        Assert.True(filtered.Exit == 0, filtered.ToString());
        var line = Assert.Single(Lines(filtered.Output).Skip(1));
        Assert.Contains("instance=\"api-2:8080\"", line);
        Assert.EndsWith("active", line);

        var silenced = await AmtoolAsync(bearerConfig, "-o", "extended", "alert", "query", "--silenced", "instance=~\"api-.*\"");
        Assert.True(silenced.Exit == 0, silenced.ToString());
        // --silenced alone asks for the silenced alerts only (active=false&silenced=true), as Alertmanager answers it.
        var row = Assert.Single(Lines(silenced.Output).Skip(1));
        Assert.Contains("instance=\"api-1:8080\"", row);
        Assert.EndsWith("suppressed", row);
    }

    [Fact]
    public async Task Amtool_silence_add_query_and_expire_change_vigils_silences()
    {
        var ends = TimeProvider.System.GetUtcNow().AddHours(2);

        var add = await AmtoolAsync(bearerConfig, "silence", "add", "alertname=HighErrorRate", "job=~\"api|web\"", "--comment", "deploy", "--duration", "2h");

        Assert.True(add.Exit == 0, add.ToString());
        var id = add.Output.Trim();
        var stored = await server.Http.GetFromJsonAsync<JsonElement>($"/api/silences/{id}");
        Assert.Equal(["alertname=\"HighErrorRate\"", "job=~\"api|web\""], stored.GetProperty("matchers").EnumerateArray().Select(m => m.GetString()!).ToArray());
        Assert.Equal(("deploy", TestServer.AdminUsername, "active"), (stored.GetProperty("comment").GetString(), stored.GetProperty("created_by").GetString(), stored.GetProperty("state").GetString()));
        Assert.InRange(stored.GetProperty("ends_at").GetDateTimeOffset(), ends.AddMinutes(-1), ends.AddMinutes(1));

        var query = await AmtoolAsync(basicConfig, "silence", "query", "alertname=HighErrorRate");
        Assert.True(query.Exit == 0, query.ToString());
        var lines = Lines(query.Output);
        Assert.Equal(["ID", "Matchers", "Ends At", "Created By", "Comment"], Regex.Split(lines[0], "  +"));
        Assert.Equal(
            [id, "alertname=\"HighErrorRate\" job=~\"api|web\"", stored.GetProperty("ends_at").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC", TestServer.AdminUsername, "deploy"],
            Regex.Split(lines[1], "  +"));
        var other = await AmtoolAsync(bearerConfig, "silence", "query", "-q", "alertname=Other");
        Assert.Equal((0, ""), (other.Exit, other.Output.Trim()));

        var expire = await AmtoolAsync(bearerConfig, "silence", "expire", id);

        Assert.True(expire.Exit == 0, expire.ToString());
        Assert.Equal("expired", (await server.Http.GetFromJsonAsync<JsonElement>($"/api/silences/{id}")).GetProperty("state").GetString());
        var after = await AmtoolAsync(bearerConfig, "silence", "query", "-q");
        Assert.Equal((0, ""), (after.Exit, after.Output.Trim()));
        var expired = await AmtoolAsync(bearerConfig, "silence", "query", "-q", "--expired");
        Assert.Equal(id, expired.Output.Trim());
        Assert.Contains(await server.AuditAsync(), e => e.Action == "expire" && e.ResourceId == id);
    }

    [Fact]
    public async Task Amtool_config_routes_shows_vigils_routing_tree()
    {
        var routes = await AmtoolAsync(bearerConfig, "config", "routes");

        Assert.True(routes.Exit == 0, routes.ToString());
        Assert.Equal(
            [
                "Routing tree:",
                ".",
                "└── default-route  receiver: oncall",
                "    └── {service=\"db\"}  receiver: dba",
            ],
            Lines(routes.Output));
    }

    [Fact]
    public async Task Api_v2_answers_have_the_keys_alertmanager_0_25_answers_with()
    {
        await PostFixtureAlertsAsync();
        var created = await server.Http.PostAsync("/api/v2/silences", new StringContent(
            """{"matchers":[{"name":"instance","value":"api-1:8080","isRegex":false,"isEqual":true}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"someone","comment":"c"}""",
            System.Text.Encoding.UTF8, "application/json"));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("silenceID").GetString();

        var alerts = await server.Http.GetFromJsonAsync<JsonElement>("/api/v2/alerts");
        var silences = await server.Http.GetFromJsonAsync<JsonElement>("/api/v2/silences");
        var status = await server.Http.GetFromJsonAsync<JsonElement>("/api/v2/status");

        // The keys of Alertmanager 0.25's own answers (captured from prometheus-alertmanager 0.25.0 on loopback).
        static string[] Keys(JsonElement e) => [.. e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
        var silenced = alerts.EnumerateArray().Single(a => a.GetProperty("labels").GetProperty("instance").GetString() == "api-1:8080");
        Assert.Equal(["annotations", "endsAt", "fingerprint", "generatorURL", "labels", "receivers", "startsAt", "status", "updatedAt"], Keys(silenced));
        Assert.Equal("80e1ae07d31c99e7", silenced.GetProperty("fingerprint").GetString());
        Assert.Equal("""{"state":"suppressed","silencedBy":["{{id}}"],"inhibitedBy":[]}""".Replace("{{id}}", id, StringComparison.Ordinal), silenced.GetProperty("status").GetRawText());
        Assert.Equal("""[{"name":"oncall"}]""", silenced.GetProperty("receivers").GetRawText());
        Assert.Equal("2026-11-22T20:02:03Z", silenced.GetProperty("startsAt").GetString());
        var silence = Assert.Single(silences.EnumerateArray());
        Assert.Equal(["comment", "createdBy", "endsAt", "id", "matchers", "startsAt", "status", "updatedAt"], Keys(silence));
        Assert.Equal("""[{"name":"instance","value":"api-1:8080","isRegex":false,"isEqual":true}]""", silence.GetProperty("matchers").GetRawText());
        Assert.Equal(["cluster", "config", "uptime", "versionInfo"], Keys(status));
        Assert.Equal("""{"status":"disabled","peers":[]}""", status.GetProperty("cluster").GetRawText());
        Assert.Equal("0.25.0", status.GetProperty("versionInfo").GetProperty("version").GetString());
    }

    [Fact]
    public async Task A_silence_posted_without_matchers_or_end_is_refused_naming_the_field()
    {
        var response = await server.Http.PostAsync("/api/v2/silences", new StringContent(
            """{"matchers":[{"name":"job","value":"api","isRegex":false}],"startsAt":"2026-01-01T00:00:00Z","createdBy":"x","comment":"c"}""",
            System.Text.Encoding.UTF8, "application/json"));
        var empty = await server.Http.PostAsync("/api/v2/silences", new StringContent("""{"matchers":[],"comment":"c"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("endsAt", out _));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.True((await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("matchers", out _));
        Assert.Empty(await server.GetJsonAsync<List<JsonElement>>("/api/silences"));
    }

    [Fact]
    public async Task Amtool_without_a_token_or_with_a_viewer_token_is_refused()
    {
        var none = Path.Combine(server.DataDirectory, "none.yml");
        await File.WriteAllTextAsync(none, "{}\n");
        var viewer = (await TestServer.CreateTokenAsync(server.Http, "viewer", Vigil.Features.Access.Role.Viewer)).Token;
        var viewerConfig = Path.Combine(server.DataDirectory, "viewer.yml");
        await File.WriteAllTextAsync(viewerConfig, $"authorization:\n  credentials: {viewer}\n");

        var anonymous = await AmtoolAsync(none, "alert", "query");
        var read = await AmtoolAsync(viewerConfig, "silence", "query");
        var add = await AmtoolAsync(viewerConfig, "silence", "add", "job=api", "--comment", "x");

        Assert.NotEqual(0, anonymous.Exit);
        Assert.True(read.Exit == 0, read.ToString());
        Assert.NotEqual(0, add.Exit);
        Assert.Empty(await server.GetJsonAsync<List<JsonElement>>("/api/silences"));
    }
}

public sealed class AmtoolOnSqlite : AmtoolTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class AmtoolOnPostgres(PostgresServer postgres) : AmtoolTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
