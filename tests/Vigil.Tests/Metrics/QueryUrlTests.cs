using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Features.Alerting.Rules;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>metrics.query_url pointing at a real victoria-metrics on loopback: rules and the Prometheus API read from it.</summary>
public sealed class QueryUrlTests : IAsyncLifetime
{
    private ExternalMetricsStore vm = null!;
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        vm = await ExternalMetricsStore.VictoriaMetricsAsync();
        server = await TestServer.StartAsync(configYaml: $"""
            metrics:
              query_url: {vm.BaseUrl}
            alerting:
              evaluation_interval: 15s
              rules:
                - name: OnlyInVictoriaMetrics
                  expr: queue_depth > 5
                  severity: high
            """);
        // Samples only in victoria-metrics, every 15 s around the test clock.
        var now = server.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var lines = new StringBuilder();
        for (var t = now - 10 * 60_000; t <= now + 10 * 60_000; t += 15_000)
        {
            lines.Append(CultureInfo.InvariantCulture, $"queue_depth{{service=\"api\"}} 9 {t}\n");
        }
        using var http = new HttpClient();
        var import = await http.PostAsync(vm.BaseUrl + "/api/v1/import/prometheus", new StringContent(lines.ToString()));
        Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());
        using var flush = await http.GetAsync(vm.BaseUrl + "/internal/force_flush");
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await vm.DisposeAsync();
    }

    private string Time => (server.Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_prometheus_query_api_answers_from_the_external_store()
    {
        JsonElement answer = default;
        for (var i = 0; i < 100; i++)
        {
            answer = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query=queue_depth&time={Time}");
            if (answer.GetProperty("data").GetProperty("result").GetArrayLength() > 0)
            {
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System); // victoria-metrics makes an import searchable within a second
        }
        var sample = Assert.Single(answer.GetProperty("data").GetProperty("result").EnumerateArray());
        Assert.Equal("api", sample.GetProperty("metric").GetProperty("service").GetString());
        Assert.Equal("9", sample.GetProperty("value")[1].GetString());

        var range = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query_range?query=queue_depth*2&start={server.Clock.GetUtcNow().AddMinutes(-5).ToUnixTimeSeconds()}&end={server.Clock.GetUtcNow().ToUnixTimeSeconds()}&step=60");
        Assert.Equal("matrix", range.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal("18", range.GetProperty("data").GetProperty("result")[0].GetProperty("values")[0][1].GetString());
    }

    [Fact]
    public async Task A_rule_fires_from_data_only_in_the_external_store_and_an_unreachable_store_is_an_error_not_a_crash()
    {
        for (var i = 0; i < 100 && server.Alert("OnlyInVictoriaMetrics")?.Phase != AlertPhase.Firing; i++)
        {
            await server.AdvanceAndEvaluateAsync(TimeSpan.FromSeconds(15));
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
        Assert.Equal(AlertPhase.Firing, server.Alert("OnlyInVictoriaMetrics")?.Phase);

        await vm.StopAsync();
        var response = await server.Http.GetAsync($"/prometheus/api/v1/query?query=queue_depth&time={Time}");
        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", error.GetProperty("status").GetString());
        Assert.Equal("execution", error.GetProperty("errorType").GetString());
        Assert.Contains("remote query API", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        await server.AdvanceAndEvaluateAsync(TimeSpan.FromSeconds(15));
        var rules = await server.Http.GetStringAsync("/api/rules");
        Assert.Contains("remote query API", rules, StringComparison.Ordinal);
    }
}
