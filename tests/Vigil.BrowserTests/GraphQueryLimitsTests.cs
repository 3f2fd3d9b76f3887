using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vigil.Metrics;
using Vigil.Metrics.Storage;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// The console's /graph evaluates through the same path as /prometheus/api/v1/query_range: the
/// query from issue 15 (a cache hit ratio over an hour) that grew the server to 22 GB.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class GraphQueryLimitsTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Query = "rate(redis_keyspace_hits_total[5m]) / rate(redis_keyspace_misses_total[5m])";
    private TestServer limited = null!;
    private TestServer unlimited = null!;

    public async Task InitializeAsync()
    {
        // The console's hour has 257 steps: each rate holds 257 points and the division a third
        // 257, more than 300 at once (as Prometheus counts samples held, not samples read).
        limited = await TestServer.StartAsync(configYaml: "metrics:\n  query_max_samples: 300\n");
        unlimited = await TestServer.StartAsync();
        await SeedAsync(limited);
        await SeedAsync(unlimited);
    }

    /// <summary>Two hours of a cache's hit and miss counters: hits are always three times the misses, in uneven increments.</summary>
    private static async Task SeedAsync(TestServer server)
    {
        var now = server.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var appender = server.Services.GetRequiredService<ISampleStore>().Appender();
        long misses = 0;
        for (var i = 0; i <= 480; i++)
        {
            misses += 1 + (i % 7);
            var t = now - ((480 - i) * 15_000L);
            appender.Append(Labels.Of("__name__", "redis_keyspace_misses_total", "instance", "cache-1"), t, misses);
            appender.Append(Labels.Of("__name__", "redis_keyspace_hits_total", "instance", "cache-1"), t, misses * 3);
        }
        await appender.CommitAsync();
    }

    public async Task DisposeAsync()
    {
        await limited.DisposeAsync();
        await unlimited.DisposeAsync();
    }

    [Fact]
    public Task The_console_refuses_an_hour_query_over_the_sample_limit_with_the_APIs_error() =>
        chromium.RunAsync(nameof(The_console_refuses_an_hour_query_over_the_sample_limit_with_the_APIs_error), output, async page =>
        {
            var end = limited.Clock.GetUtcNow().ToUnixTimeSeconds();
            var api = await limited.Http.GetAsync($"/prometheus/api/v1/query_range?query={Uri.EscapeDataString(Query)}&start={end - 3598}&end={end}&step=14");
            Assert.Equal((HttpStatusCode)422, api.StatusCode);
            var apiError = (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
            Assert.Equal("query processing would load too many samples into memory in query execution", apiError);

            await ConsoleSession.SignInAsync(page, limited);
            await page.GotoAsync(new Uri(limited.BaseAddress, "/graph").ToString());
            await page.FillAsync("textarea[name=q]", Query);
            await page.SelectOptionAsync("select[name=range]", "1h");
            await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();

            await page.WaitForPageAsync("**/graph?q=*");
            Assert.Equal(apiError, await page.Locator("[role=alert]").InnerTextAsync());
            Assert.Equal(0, await page.Locator("figure.chart").CountAsync());
        });

    [Fact]
    public Task The_console_charts_a_ratio_that_differs_only_in_its_last_bits_as_a_flat_line() =>
        chromium.RunAsync(nameof(The_console_charts_a_ratio_that_differs_only_in_its_last_bits_as_a_flat_line), output, async page =>
        {
            // What the API answers: the ratio is 3 at every step, give or take the last bits of a double.
            var end = unlimited.Clock.GetUtcNow().ToUnixTimeSeconds();
            var api = await unlimited.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query_range?query={Uri.EscapeDataString(Query)}&start={end - 3598}&end={end}&step=14");
            var values = api.GetProperty("data").GetProperty("result")[0].GetProperty("values").EnumerateArray()
                .Select(v => double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)).ToList();
            Assert.True(values.Distinct().Count() > 1, "the data no longer gives a ratio with noise in its last bits");
            Assert.InRange(values.Max() - values.Min(), 0, 1e-12);

            await ConsoleSession.SignInAsync(page, unlimited);
            await page.GotoAsync(new Uri(unlimited.BaseAddress, "/graph?range=1h&q=" + Uri.EscapeDataString(Query)).ToString());

            Assert.Equal(1, await page.Locator("figure.chart svg polyline").CountAsync());
            var rows = await page.Locator("table.results tbody tr").AllInnerTextsAsync();
            Assert.Single(rows);
            Assert.Contains("cache-1", rows[0], StringComparison.Ordinal);
        });
}
