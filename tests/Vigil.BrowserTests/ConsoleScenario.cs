using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.BrowserTests;

/// <summary>
/// A server with something wrong on it, as the home page exists to show: a service with a monitor,
/// a schedule with someone on call, a firing alert sent the way Prometheus sends it, an open P1
/// incident and a deployment.
/// </summary>
public sealed class ConsoleScenario : IAsyncDisposable
{
    private const string IntegrationToken = "console-scenario-integration-token-01";
    private readonly string tokenFile;

    private ConsoleScenario(TestServer server, string tokenFile, string incident)
    {
        Server = server;
        this.tokenFile = tokenFile;
        Incident = incident;
    }

    public TestServer Server { get; }

    /// <summary>The open incident's id (INC-2026-001).</summary>
    public string Incident { get; }

    public string Url(string path) => new Uri(Server.BaseAddress, path).ToString();

    public static async Task<ConsoleScenario> StartAsync()
    {
        var tokenFile = Path.Combine(Path.GetTempPath(), $"vigil-console-{Guid.NewGuid():N}.token");
        await File.WriteAllTextAsync(tokenFile, IntegrationToken);
        var server = await TestServer.StartAsync(configYaml: $$"""
            services:
              - name: checkout
                description: Takes the money
                environments: [{name: production}]
              - name: inventory
            monitors:
              - name: checkout-http
                type: http
                service: checkout
                url: http://127.0.0.1:9/
                interval: 30s
            schedules:
              - name: primary
                time_zone: UTC
                layers:
                  - {name: week, rotation: weekly, handoff: "09:00", start: 2026-10-26, participants: [test-admin]}
            alerting:
              integrations: [{name: prometheus, type: alertmanager, token_file: "{{tokenFile}}"}]
            """);
        var scenario = new ConsoleScenario(server, tokenFile, "");
        await scenario.SendAlertAsync("CheckoutLatencyHigh", "warning");
        var opened = await server.Http.PostAsync("/api/incidents", new StringContent(
            """{"title": "Checkout returns 500", "severity": "P1", "services": [{"service": "checkout", "impact": "major_outage"}]}""", Encoding.UTF8, "application/json"));
        opened.EnsureSuccessStatusCode();
        var incident = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        (await server.Http.PostAsync("/api/deployments", JsonContent.Create(new { service = "checkout", environment = "production", version = "v1.4.2" }))).EnsureSuccessStatusCode();
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        return new ConsoleScenario(server, tokenFile, incident);
    }

    /// <summary>Sends a firing alert to <c>POST /api/v2/alerts</c>, as Prometheus does.</summary>
    public async Task SendAlertAsync(string name, string severity)
    {
        // Prometheus sends endsAt a few evaluation intervals ahead and keeps resending; one send that holds for two hours stands for that.
        var endsAt = (Server.Clock.GetUtcNow() + TimeSpan.FromHours(2)).ToString("O");
        using var prometheus = new HttpClient { BaseAddress = Server.BaseAddress };
        prometheus.DefaultRequestHeaders.Authorization = new("Bearer", IntegrationToken);
        var posted = await prometheus.PostAsync("/api/v2/alerts", new StringContent(
            $$$"""[{"labels": {"alertname": "{{{name}}}", "severity": "{{{severity}}}", "service": "checkout"}, "endsAt": "{{{endsAt}}}", "annotations": {"summary": "{{{name}}} on checkout"}}]""", Encoding.UTF8, "application/json"));
        posted.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        File.Delete(tokenFile);
    }
}
