using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Tests.Monitors;
using Vigil.Tests.Support;

namespace Vigil.Tests.Slos;

/// <summary>
/// Issue 15, item 2: on a new install, a 600 s outage of a 99.95 %-over-30-days SLO spends 10 of its
/// 21.6 allowed minutes (46.3 %), not the share of the little time Vigil has watched; the time
/// before the first check is reported as unknown. A real monitor checks a real loopback target.
/// </summary>
public abstract class AvailabilityBudgetTests : IAsyncLifetime
{
    private TestServer server = null!;
    private TargetServer target = null!;
    private volatile bool failing;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        target = await TargetServer.StartAsync(app => app.MapGet("/health", () => failing ? Results.StatusCode(503) : Results.Text("ok")));
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
            services:
              - name: checkout
            monitors:
              - name: checkout-http
                type: http
                service: checkout
                url: {{target.Url}}/health
                interval: 30s
                retries: 0
            slos:
              - name: checkout-availability
                service: checkout
                target: 99.95%
                window: 30d
                monitor: checkout-http
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await target.DisposeAsync();
    }

    private async Task<string> CheckAsync()
    {
        var response = await server.Http.PostAsync("/api/monitors/checkout-http/check", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()!;
    }

    private async Task<JsonElement> PostAsync(string path, string body)
    {
        var response = await server.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_600_second_outage_on_a_new_install_spends_46_3_percent_of_a_21_6_minute_budget_and_the_rest_is_unknown()
    {
        Assert.Equal("up", await CheckAsync());
        server.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("up", await CheckAsync());

        failing = true;
        Assert.Equal("down", await CheckAsync());
        var incident = (await PostAsync("/api/incidents", """{"title": "Checkout down", "services": [{"service": "checkout", "impact": "major_outage"}]}""")).GetProperty("id").GetString();
        server.Clock.Advance(TimeSpan.FromSeconds(600));
        failing = false;
        Assert.Equal("up", await CheckAsync());
        await PostAsync($"/api/incidents/{incident}/resolve", "{}");

        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-availability");
        // 99.95 % of 30 days allows 21.6 minutes; 10 of them are spent.
        Assert.Equal("21.6 minutes", slo.GetProperty("allowed_downtime").GetProperty("per_window").GetString());
        Assert.Equal(1 - (600.0 / 1296), slo.GetProperty("budget_remaining").GetDouble(), 9);
        // Vigil has watched 1 h 10 min of the 30 days: the rest is neither good nor bad.
        Assert.Equal(TimeSpan.FromDays(30).TotalSeconds - 4200, slo.GetProperty("unknown_seconds").GetDouble(), 3);
        Assert.Equal(3600.0 / 4200, slo.GetProperty("attainment").GetDouble(), 9);

        var details = await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}");
        Assert.Equal(600.0 / 1296, details.GetProperty("budget_consumed").GetProperty("checkout/checkout-availability").GetDouble(), 9);

        var page = await server.Http.GetStringAsync("/slos/checkout-availability");
        Assert.Contains("46.296 % (10 minutes of 21.6 minutes)", page, StringComparison.Ordinal);
        Assert.Contains("30 days of the window with no known state", page, StringComparison.Ordinal);
        var incidentPage = await server.Http.GetStringAsync($"/incidents/{incident}");
        Assert.Contains("checkout/checkout-availability: 46.3%", incidentPage, StringComparison.Ordinal);
    }
}

public sealed class AvailabilityBudgetOnSqlite : AvailabilityBudgetTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class AvailabilityBudgetOnPostgres(PostgresServer postgres) : AvailabilityBudgetTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
