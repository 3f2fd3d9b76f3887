using System.Net;
using System.Text;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class StatusPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    // The test clock starts at 2026-11-02 09:00 UTC: the database upgrade is in progress, the API deploy is ahead.
    private const string Config = """
        services:
          - name: api
          - name: db
          - name: web
        monitors:
          - name: api-port
            type: tcp
            service: api
            host: 127.0.0.1
            port: 1
        maintenance_windows:
          - name: db-upgrade
            service: db
            starts_at: "2026-11-02T08:00:00Z"
            ends_at: "2026-11-02T10:00:00Z"
            comment: Upgrading PostgreSQL to 17
          - name: web-deploy
            service: web
            starts_at: "2026-11-05T22:00:00Z"
            ends_at: "2026-11-05T23:00:00Z"
            comment: Moving the website to the new CDN
        status_pages:
          - name: public
            title: Acme Status
            components:
              - name: API
                group: Core
                monitors: [api-port]
              - name: Database
                group: Core
                services: [db]
              - name: Website
                services: [web]
        """;

    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: Config);
        (await server.Http.PostAsync("/api/monitors/api-port/check", null)).EnsureSuccessStatusCode();
        var opened = await server.Http.PostAsync("/api/incidents", Json(
            """{"title": "[FIRING:1] CheckoutErrors web", "severity": "P1", "services": [{"service": "web", "impact": "partial_outage"}], "visibility": "public", "public_title": "Checkout API errors"}"""));
        Assert.True(opened.StatusCode == HttpStatusCode.Created, $"POST /api/incidents: {(int)opened.StatusCode} {await opened.Content.ReadAsStringAsync()}");
        var update = await server.Http.PostAsync("/api/incidents/INC-2026-001/updates", Json(
            """{"status": "investigating", "message": "We are investigating errors on checkout.", "next_update": "15m"}"""));
        Assert.True(update.IsSuccessStatusCode, $"POST updates: {(int)update.StatusCode} {await update.Content.ReadAsStringAsync()}");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static async Task<string> ColourAsync(IPage page, string selector) =>
        await page.Locator(selector).EvaluateAsync<string>("e => getComputedStyle(e).color");

    [Fact]
    public Task Chromium_sees_the_ongoing_and_scheduled_maintenance_and_each_component_in_its_colour() =>
        chromium.RunAsync(nameof(Chromium_sees_the_ongoing_and_scheduled_maintenance_and_each_component_in_its_colour), output, async page =>
        {
            // A visitor: no sign-in.
            var response = await page.GotoAsync(new Uri(server.BaseAddress, "/status/public").ToString());
            Assert.Equal(200, response!.Status);

            Assert.Equal("Acme Status", await page.Locator("h1").InnerTextAsync());
            Assert.Equal("major outage", await page.Locator("#component-api .status").InnerTextAsync());
            Assert.Equal("rgb(231, 76, 60)", await ColourAsync(page, "#component-api .status"));
            Assert.Equal("under maintenance", await page.Locator("#component-database .status").InnerTextAsync());
            Assert.Equal("rgb(52, 152, 219)", await ColourAsync(page, "#component-database .status"));
            Assert.Equal("Core", await page.Locator("section.group h3").First.InnerTextAsync());
            Assert.Equal(90, await page.Locator("#component-api .bars i").CountAsync());

            var main = await page.Locator("main").InnerTextAsync();
            Assert.Contains("Maintenance in progress", main);
            Assert.Contains("Upgrading PostgreSQL to 17", await page.Locator("article.maintenance").First.InnerTextAsync());
            Assert.Contains("Moving the website to the new CDN", await page.Locator("article.maintenance").Last.InnerTextAsync());
            Assert.Contains("2026-11-05 22:00", await page.Locator("article.maintenance").Last.InnerTextAsync());

            var incident = await page.Locator("article.incident").First.InnerTextAsync();
            Assert.Contains("Checkout API errors", incident);
            Assert.Contains("We are investigating errors on checkout.", incident);
            // The update's own words, not the internal template ("📊 INCIDENT UPDATE Incident: #INC-2026-001 … ETA: Next Update:").
            Assert.DoesNotContain("INCIDENT UPDATE", incident);
            Assert.DoesNotContain("Next Update:", incident);
            Assert.DoesNotContain("FIRING", await page.Locator("main").InnerTextAsync());
            Assert.Equal("partial outage", await page.Locator("#component-website .status").InnerTextAsync());
            Assert.Equal("rgb(230, 126, 34)", await ColourAsync(page, "#component-website .status"));
            Assert.Equal(0, await page.Locator("script").CountAsync());
        });
}
