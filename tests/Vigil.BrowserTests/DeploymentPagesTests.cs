using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class DeploymentPagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: """
        services:
          - name: checkout
            environments:
              - name: production
              - name: staging
          - name: search
            environments:
              - name: staging
        monitors:
          - name: checkout-port
            type: tcp
            service: checkout
            host: 127.0.0.1
            port: 1
        deployments:
          environments:
            - name: production
              gates:
                - name: tests-passed
                  description: CI green on the release commit
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<int> RecordAsync(object body)
    {
        var response = await server.Http.PostAsJsonAsync("/api/deployments", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    [Fact]
    public Task Chromium_shows_a_failed_canarys_step_reports_on_the_deployment_page() =>
        chromium.RunAsync(nameof(Chromium_shows_a_failed_canarys_step_reports_on_the_deployment_page), output, async page =>
        {
            var id = await RecordAsync(new { service = "checkout", environment = "staging", version = "v1.4.2", strategy = "canary" });
            var now = server.Clock.GetUtcNow();
            // The analysis loop's record, as it leaves it after step 1 failed (the loop itself is tested in Vigil.Tests).
            await server.QueryAsync(async db =>
            {
                db.Add(new Vigil.Features.Deployments.CanaryRun
                {
                    DeploymentId = id,
                    StepStartedAt = now,
                    FailureReason = "canary step 1 (5%) failed: error_ratio worse",
                    FailedStep = 1,
                    RollbackSentAt = now.AddMinutes(30),
                    UpdatedAt = now.AddMinutes(30),
                    Reports =
                    [
                        new(1, 5, now, now.AddMinutes(30), "fail",
                        [
                            new("error_ratio", "fail", "worse: means 0.08 (canary) and 0.01 (baseline)", 30, 30, 0.08, 0.01, 8, 0.0001),
                            new("p95_latency", "pass", "means 0.2 (canary) and 0.2 (baseline)", 30, 30, 0.2, 0.2, 1, 0.9),
                        ]),
                    ],
                });
                return await db.SaveChangesAsync();
            });

            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, $"/deployments/{id}").ToString());
            var step = page.Locator("table.canary-steps tr[data-step='1']");
            await step.WaitForAsync();
            Assert.Equal("fail", await step.GetAttributeAsync("data-verdict"));
            Assert.Equal(2, await step.Locator("[data-metric]").CountAsync());
            Assert.Contains("canary step 1 (5%) failed", await page.Locator("[data-canary-failure]").InnerTextAsync());
        });

    [Fact]
    public Task Chromium_filters_deployments_opens_one_ticks_its_gate_with_errors_beside_the_fields_and_sees_it_on_graph_and_service_page() =>
        chromium.RunAsync(nameof(Chromium_filters_deployments_opens_one_ticks_its_gate_with_errors_beside_the_fields_and_sees_it_on_graph_and_service_page), output, async page =>
        {
            server.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
            var staging = await RecordAsync(new { service = "checkout", environment = "staging", version = "v1.4.2" });
            await server.Http.PostAsJsonAsync($"/api/deployments/{staging}/finish", new { status = "failed" });
            await RecordAsync(new { service = "search", environment = "staging", version = "v7" });
            server.Clock.Advance(TimeSpan.FromMinutes(10));
            var production = await RecordAsync(new { service = "checkout", environment = "production", version = "v1.4.2", status = "pending", commit = "4f2a9c1" });
            server.Clock.Advance(TimeSpan.FromMinutes(5));

            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/catalog").ToString());
            await page.GetByRole(AriaRole.Link, new() { Name = "Deployments", Exact = true }).ClickAsync();
            await page.WaitForPageAsync("**/deployments");
            Assert.Equal(3, await page.Locator("table.deployments tbody tr").CountAsync());

            await page.GetByLabel("Status").SelectOptionAsync("failed");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await page.WaitForPageAsync("**/deployments?*status=failed*");
            Assert.Equal([staging.ToString(System.Globalization.CultureInfo.InvariantCulture)], await page.Locator("table.deployments tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.deployment)"));

            await page.GotoAsync(new Uri(server.BaseAddress, "/deployments?service=checkout&environment=production").ToString());
            await page.Locator($"tr[data-deployment='{production}']").GetByRole(AriaRole.Link, new() { Name = "v1.4.2" }).ClickAsync();
            await page.WaitForPageAsync($"**/deployments/{production}");
            Assert.Equal("pending", await page.Locator("h1 .status").GetAttributeAsync("data-status"));

            // Starting with the gate open is refused, the reason beside the Start button.
            await page.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
            var gateError = page.Locator("form [data-error='gates.tests-passed']");
            await gateError.WaitForAsync();
            Assert.Contains("not ticked", await gateError.InnerTextAsync());

            // Ticking without evidence: the API's reason beside the evidence field; nothing ticked.
            var gate = page.Locator("tr[data-gate=tests-passed]");
            await gate.GetByRole(AriaRole.Button, new() { Name = "Tick" }).ClickAsync();
            var evidenceError = page.Locator("tr[data-gate=tests-passed] [data-error=evidence]");
            await evidenceError.WaitForAsync();
            Assert.Contains("a link or note", await evidenceError.InnerTextAsync());
            Assert.Equal("false", await gate.GetAttributeAsync("data-ticked"));

            await gate.GetByLabel("Evidence").FillAsync("https://ci.example.com/runs/42");
            await gate.GetByRole(AriaRole.Button, new() { Name = "Tick" }).ClickAsync();
            await page.Locator("tr[data-gate=tests-passed][data-ticked=true]").WaitForAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
            await page.Locator("h1 .status[data-status=in_progress]").WaitForAsync();
            Assert.Equal(["pending", "in_progress"], await page.Locator("table.transitions tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.to)"));

            // The service page lists it under Recent deployments.
            await page.GotoAsync(new Uri(server.BaseAddress, "/catalog/checkout").ToString());
            Assert.Equal(2, await page.Locator("table.deployments.recent tbody tr").CountAsync());
            Assert.Equal("in_progress", await page.Locator($"table.deployments.recent tr[data-deployment='{production}']").GetAttributeAsync("data-status"));

            // /graph marks the deployments of the visible hour on the chart.
            await page.GotoAsync(new Uri(server.BaseAddress, "/graph?q=vector(1)&range=1h").ToString());
            var markers = page.Locator("figure.chart g.annotation");
            await markers.First.WaitForAsync();
            var titles = await markers.Locator("title").AllTextContentsAsync();
            Assert.Contains("v1.4.2 · checkout · production (in progress)", titles);
            Assert.Contains("v1.4.2 · checkout · staging (failed)", titles);
            Assert.Equal(3, titles.Count);
        });

    [Fact]
    public Task Chromium_sees_a_deployment_marker_on_the_monitor_latency_chart_of_its_service() =>
        chromium.RunAsync(nameof(Chromium_sees_a_deployment_marker_on_the_monitor_latency_chart_of_its_service), output, async page =>
        {
            // Checks a minute before and a minute after the deployment started; one of another service is not drawn.
            (await server.Http.PostAsync("/api/monitors/checkout-port/check", null)).EnsureSuccessStatusCode();
            server.Clock.Advance(TimeSpan.FromSeconds(60));
            await RecordAsync(new { service = "checkout", environment = "staging", version = "v2.0.0" });
            await RecordAsync(new { service = "search", environment = "staging", version = "v9.1" });
            server.Clock.Advance(TimeSpan.FromSeconds(60));
            (await server.Http.PostAsync("/api/monitors/checkout-port/check", null)).EnsureSuccessStatusCode();

            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/monitors/checkout-port").ToString());
            var markers = page.Locator("svg.latency g.annotation[data-kind=deployment]");
            // A marker is a vertical line: no width, so attached rather than "visible" to Playwright.
            await markers.First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
            Assert.Equal(["v2.0.0 · checkout · staging (in progress)"], await markers.Locator("title").AllTextContentsAsync());
        });
}
