using System.Collections;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Configuration;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

public sealed class ScrapeTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: "services: []\n");

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<JsonElement> QueryAsync(string query)
    {
        var time = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var answer = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time={time.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return answer.GetProperty("data").GetProperty("result");
    }

    [Fact]
    public async Task A_scrape_job_added_by_a_reload_scrapes_its_target_on_the_clock()
    {
        // Vigil's own /metrics wants system.view: the job reads a viewer token from a file beside vigil.yaml.
        var token = await TestServer.CreateTokenAsync(server.Http, "scraper", Vigil.Features.Access.Role.Viewer);
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "metrics-token"), token.Token + "\n");
        await server.WriteConfigAsync($"""
            metrics:
              scrape_configs:
                - job_name: vigil
                  scrape_interval: 15s
                  scrape_timeout: 5s
                  authorization: {"{"}credentials_file: metrics-token{"}"}
                  static_configs:
                    - targets: ["{server.BaseAddress.Authority}"]
                      labels: {"{"}env: test{"}"}
            """);
        var reload = await server.Http.PostAsync("/-/reload", null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);

        server.Clock.Advance(TimeSpan.FromSeconds(16));

        // The scrape is real HTTP on loopback: wait (bounded) for its result to land.
        var waited = Stopwatch.StartNew();
        JsonElement up;
        while ((up = await QueryAsync("up{job=\"vigil\"}")).GetArrayLength() == 0 && waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
        Assert.Equal("1", up[0].GetProperty("value")[1].GetString());
        Assert.Equal($"{server.BaseAddress.Authority}", up[0].GetProperty("metric").GetProperty("instance").GetString());
        Assert.Equal("test", up[0].GetProperty("metric").GetProperty("env").GetString());
        Assert.True((await QueryAsync("process_cpu_seconds_total{job=\"vigil\"}")).GetArrayLength() == 1);
        Assert.True(double.Parse((await QueryAsync("scrape_samples_scraped{job=\"vigil\"}"))[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 10);
    }

    [Fact]
    public void Scrape_config_mistakes_are_reported_with_line_and_reason()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            metrics:
              scrape_configs:
                - job_name: a
                  scrape_interval: 10s
                  scrape_timeout: 30s
                  static_configs:
                    - targets: ["http://host:9100/metrics"]
                  relabel_configs:
                    - action: shuffle
                    - source_labels: [x]
                      regex: "(unclosed"
                - job_name: a
                  authorization: {type: Basic, credentials: x, credentials_file: y}
                  basic_auth: {username: u, password: p, password_file: f}
            """, new Hashtable());

        Assert.Equal(
            [
                "vigil.yaml:5:23: must not be greater than the scrape interval (10s)",
                "vigil.yaml:7:21: \"http://host:9100/metrics\" is not host:port",
                "vigil.yaml:9:19: unknown relabel action \"shuffle\" (expected one of: replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase, keepequal, dropequal)",
                "vigil.yaml:11:18: invalid regular expression: Invalid pattern '^(?:(unclosed)\\z' at offset 16. Not enough )'s.",
                "vigil.yaml:12:17: duplicate job name \"a\"",
                "vigil.yaml:13:22: at most one of basic_auth and authorization may be configured",
                "vigil.yaml:13:29: authorization type cannot be set to \"basic\", use \"basic_auth\" instead",
                "vigil.yaml:13:49: at most one of authorization credentials and credentials_file must be configured",
                "vigil.yaml:14:43: at most one of basic_auth password and password_file must be configured",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }
}
