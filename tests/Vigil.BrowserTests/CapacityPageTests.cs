using System.Net;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>Issue 21 in the console: the Capacity page shows a resource's headroom, the date it runs out and its forecast drawn dashed beside the history.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class CapacityPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: """
            services: [{name: api}]
            capacity:
              services:
                api:
                  resources:
                    storage: {unit: GB, limit: 1000, usage: 'sum(db_size_gb)', growth: 3x/year, history: 10d}
            """);
        // 100 GB ten days ago, 24 GB more a day, sampled hourly: 340 GB now.
        var now = server.Clock.GetUtcNow();
        var points = Enumerable.Range(0, 241).Select(h => new Sample(now.AddHours(h - 240).ToUnixTimeMilliseconds(), 100 + h)).ToList();
        var body = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest([new TimeSeries(Labels.Of("__name__", "db_size_gb"), points)], [])));
        body.Headers.ContentType = new("application/x-protobuf");
        body.Headers.ContentEncoding.Add("snappy");
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.PostAsync("/prometheus/api/v1/write", body)).StatusCode);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_sees_the_headroom_the_limit_date_and_a_dashed_forecast() =>
        chromium.RunAsync(nameof(Chromium_sees_the_headroom_the_limit_date_and_a_dashed_forecast), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
            await page.Locator("nav.sidebar a[href='/capacity']").ClickAsync();
            await page.WaitForPageAsync("**/capacity");

            var cells = await page.Locator("section[data-service=api] tr[data-resource=storage] td").AllInnerTextsAsync();
            // usage, limit, headroom, used, trend date (660 GB at 24 a day: 27.5 days after 2026-11-02 09:00).
            Assert.Equal(["340 GB", "1,000 GB", "660 GB", "34 %", "2026-11-29"], cells.Skip(1).Take(5).Select(c => c.Trim()));
            Assert.True(await page.Locator(".capacity-forecast[data-resource=storage] svg polyline[stroke-dasharray]").CountAsync() >= 2);
        });
}
