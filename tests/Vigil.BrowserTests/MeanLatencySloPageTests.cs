using System.Net.Http.Json;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>Issue 15, item 8 in the console: a mean-latency SLO made through the API is shown with its slice query and threshold.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class MeanLatencySloPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: "services:\n  - name: checkout\n");
        var created = await server.Http.PostAsJsonAsync("/api/slos", new
        {
            name = "checkout-mean-latency",
            service = "checkout",
            target = "99",
            mean_latency = new { metric = "http_request_duration_seconds", selector = "service=\"checkout\"", threshold = "200ms" },
        });
        created.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_sees_how_a_mean_latency_slo_is_measured_and_that_it_has_no_data_yet() =>
        chromium.RunAsync(nameof(Chromium_sees_how_a_mean_latency_slo_is_measured_and_that_it_has_no_data_yet), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/slos/checkout-mean-latency").ToString());

            var measured = await page.Locator(".mean-latency").InnerTextAsync();
            Assert.StartsWith("mean_latency: minutes whose mean sum(rate(http_request_duration_seconds_sum{service=\"checkout\"}[1m]))", measured, StringComparison.Ordinal);
            Assert.EndsWith("is under 200 ms", measured, StringComparison.Ordinal);
            Assert.Contains("no data", await page.Locator("dl.facts").InnerTextAsync(), StringComparison.Ordinal);
        });
}
