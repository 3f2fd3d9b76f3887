using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// Script payloads in every name and text a user or an alert sender can set (services, monitors,
/// incidents and their updates, status pages and their components, alert labels and annotations,
/// silences), then every console page and the status page opened in Chromium: nothing runs, no
/// element is injected, and the payloads show as text. Add a page here when one is added.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class XssTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "xss-test-integration-token";

    /// <summary>Each would run if rendered as markup: a script element, an event handler, markup breaking out of an attribute.</summary>
    private const string Payload = "x<script>window.__xss=1;alert('script')</script><img src=x onerror=\"window.__xss=2;alert('img')\">\"'><svg onload=\"window.__xss=3;alert('svg')\">";

    private TestServer server = null!;
    private string incidentId = "";
    private string fingerprint = "";

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: "alerting:\n  evaluation_interval: 1m\n");
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "am.token"), Token + "\n");
        await server.WriteConfigAsync("""
            alerting:
              integrations:
                - name: prometheus
                  type: alertmanager
                  token_file: am.token
            """);
        Ensure(await server.Http.PostAsync("/-/reload", null));

        Ensure(await server.Http.PostAsJsonAsync("/api/services", new { name = "xss-svc", description = Payload, owner = Payload, environments = new[] { new { name = "production" } } }, TestServer.Json));
        Ensure(await server.Http.PostAsJsonAsync("/api/monitors", new { name = "xss-mon", type = "http", service = "xss-svc", description = Payload, url = "http://127.0.0.1:9/" }, TestServer.Json));
        var incident = Ensure(await server.Http.PostAsJsonAsync("/api/incidents", new { title = Payload, severity = "P2", services = new[] { new { service = "xss-svc", impact = "major_outage" } } }, TestServer.Json));
        incidentId = (await incident.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Ensure(await server.Http.PostAsJsonAsync($"/api/incidents/{incidentId}/updates", new { status = "investigating", message = Payload }, TestServer.Json));
        Ensure(await server.Http.PostAsJsonAsync($"/api/incidents/{incidentId}/notes", new { text = Payload }, TestServer.Json));
        Ensure(await server.Http.PostAsJsonAsync($"/api/incidents/{incidentId}/action-items", new { title = Payload }, TestServer.Json));
        Ensure(await server.Http.PostAsJsonAsync("/api/status-pages", new { name = "xss", title = Payload, components = new[] { new { name = Payload, services = new[] { "xss-svc" } } } }, TestServer.Json));
        var alert = $$"""
            [{"labels":{"alertname":"XssProbe","service":"xss-svc","severity":"critical","team":{{JsonSerializer.Serialize(Payload)}}},
              "annotations":{"summary":{{JsonSerializer.Serialize(Payload)}},"description":{{JsonSerializer.Serialize(Payload)}}},
              "startsAt":"2026-11-02T08:55:00Z"}]
            """;
        Ensure(await server.WithToken(Token).PostAsync("/api/v2/alerts", new StringContent(alert, Encoding.UTF8, "application/json")));
        Ensure(await server.Http.PostAsJsonAsync("/api/silences", new { matchers = new[] { "team=\"nobody\"" }, ends_at = server.Clock.GetUtcNow().AddHours(1), comment = Payload }, TestServer.Json));
        var alerts = await server.GetJsonAsync<JsonElement>("/api/alerts");
        fingerprint = alerts.EnumerateArray().Single().GetProperty("fingerprint").GetString()!;
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static HttpResponseMessage Ensure(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().Result}");
        return response;
    }

    private string[] Pages() =>
    [
        "/catalog", "/catalog/xss-svc", "/monitors", "/monitors/xss-mon", "/incidents", $"/incidents/{incidentId}", $"/incidents/{incidentId}/postmortem",
        "/incidents/action-items", "/incidents/metrics", "/alerts", $"/alerts/{fingerprint}", "/alerts/silences", "/status-pages", "/status/xss",
        "/oncall", "/oncall/pages", "/notifications", "/audit", "/slos", "/rules", "/access/users", "/account/tokens", "/graph",
    ];

    [Fact]
    public Task Chromium_runs_no_script_from_any_user_settable_text_on_any_page() =>
        chromium.RunAsync(nameof(Chromium_runs_no_script_from_any_user_settable_text_on_any_page), output, async page =>
        {
            var dialogs = new List<string>();
            page.Dialog += async (_, dialog) =>
            {
                dialogs.Add($"{page.Url}: {dialog.Message}");
                await dialog.DismissAsync();
            };
            // A violation report would mean markup got through escaping and only the CSP stopped it.
            await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));");
            await ConsoleSession.SignInAsync(page, server);
            var shownAsText = new List<string>();
            foreach (var path in Pages())
            {
                var response = await page.GotoAsync(new Uri(server.BaseAddress, path).ToString());
                Assert.True(response is { Ok: true }, $"{path} answered {response?.Status}");
                await page.WaitForLoadedAsync();

                Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
                Assert.Equal(0, await page.EvaluateAsync<int>("() => document.querySelectorAll('img[src=x], svg[onload], [onerror], [onload]').length"));
                Assert.False(await page.EvaluateAsync<bool>("() => [...document.scripts].some(s => s.textContent.includes('__xss'))"), $"{path} has the payload as a script");
                Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__csp"));
                if ((await page.Locator("body").InnerTextAsync()).Contains("<script>window.__xss=1", StringComparison.Ordinal))
                {
                    shownAsText.Add(path);
                }
            }

            Assert.Empty(dialogs);
            // The payloads did reach the pages, as text: the test would see a hole if there were one.
            Assert.Contains("/catalog/xss-svc", shownAsText);
            Assert.Contains($"/incidents/{incidentId}", shownAsText);
            Assert.Contains($"/alerts/{fingerprint}", shownAsText);
            Assert.Contains("/status/xss", shownAsText);
        });

    [Fact]
    public async Task The_console_and_the_status_page_carry_the_security_headers()
    {
        var session = await server.SignInAsync(TestServer.AdminUsername, TestServer.AdminPassword);
        foreach (var response in new[] { await session.GetAsync("/catalog"), await server.Anonymous.GetAsync("/status/xss") })
        {
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self';", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        }
    }
}
