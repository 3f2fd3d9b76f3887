using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Cost;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cost;

/// <summary>
/// The cost alerts through routing and the cost series in PromQL, on a real server with a fake clock set to
/// 11 November 2026 00:00 UTC: ten days of November have passed, of 30.
/// </summary>
public abstract class CostAlertTests : IAsyncLifetime
{
    private const string Config = """
        services: [{name: api}, {name: worker}]
        cost:
          budgets:
            - {service: api, monthly: 100}
            - {service: worker, threshold: 50}
          alerts: {forecast_percent: 80, day_over_day: 1.5, day_over_day_minimum: 5}
        """;

    private const string Header = "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ProviderName,ServiceName,Tags";

    private static readonly DateTimeOffset Now = new(2026, 11, 11, 0, 0, 0, TimeSpan.Zero);

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(await DatabaseAsync(), Config);
        server.Clock.Advance(Now - server.Clock.GetUtcNow());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static string Row(decimal cost, DateTimeOffset day, string provider, string item, string service) =>
        string.Create(CultureInfo.InvariantCulture, $"{cost},USD,{day:yyyy-MM-dd'T'HH:mm:ss'Z'},{day.AddDays(1):yyyy-MM-dd'T'HH:mm:ss'Z'},{provider},{item},\"{{\"\"service\"\": \"\"{service}\"\"}}\"");

    /// <summary>Imports daily rows (source <c>test</c>, so importing again replaces them) and runs one evaluation pass.</summary>
    private async Task ImportAndEvaluateAsync(IEnumerable<string> rows)
    {
        var csv = Header + "\n" + string.Join("\n", rows) + "\n";
        var response = await server.Http.PostAsync("/api/cost/imports?source=test&month=2026-11&file=daily.csv", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        await server.Services.GetRequiredService<EvaluateCost>().PassAsync(CancellationToken.None);
    }

    private static IEnumerable<string> Daily(decimal cost, string service, int days = 10) =>
        Enumerable.Range(0, days).Select(d => Row(cost, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).AddDays(d), "AWS", "Amazon EC2", service));

    private async Task<Vigil.Features.Alerting.StoredAlert?> FiringAsync(string alertname, string service) =>
        (await server.StoredAlertsAsync()).SingleOrDefault(a => a.Labels.Get("alertname") == alertname && a.Labels.Get("service") == service && !a.IsResolvedAt(server.Clock.GetUtcNow()));

    private async Task<double> QueryAsync(string query)
    {
        var time = (server.Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture);
        var answer = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time={time}");
        var sample = Assert.Single(answer.GetProperty("data").GetProperty("result").EnumerateArray());
        return double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task The_budget_forecast_alert_fires_at_81_percent_and_not_at_79()
    {
        // 10 days at 2.63 = 26.30 so far: 26.30 / 10 * 30 = 78.90, 79 % of the 100 budget.
        await ImportAndEvaluateAsync(Daily(2.63m, "api"));
        Assert.Null(await FiringAsync(CostAlerts.BudgetForecast, "api"));

        // 10 days at 2.70 = 27.00 so far: the month ends at 81.00, 81 %.
        await ImportAndEvaluateAsync(Daily(2.70m, "api"));
        var alert = await FiringAsync(CostAlerts.BudgetForecast, "api");
        Assert.NotNull(alert);
        Assert.Equal(("warning", "cost"), (alert.Labels.Get("severity"), alert.Source));
        Assert.Equal("api: forecast month-end spend $81.00 is 81 % of the 2026-11 budget of $100.00 (above 80 %); spent so far $27.00", alert.Annotations.Get("summary"));

        // The month-to-date and yesterday's cost as series PromQL can use.
        Assert.Equal(27.0, await QueryAsync("""sum(vigil_cost_usd{service="api",window="month"})"""), 6);
        Assert.Equal(2.7, await QueryAsync("""vigil_cost_usd{service="api",provider="AWS",window="day"}"""), 6);

        // Back under: resolved on the next pass.
        await ImportAndEvaluateAsync(Daily(2.50m, "api"));
        Assert.Null(await FiringAsync(CostAlerts.BudgetForecast, "api"));
    }

    [Fact]
    public async Task The_day_over_day_alert_fires_at_1_6x_and_not_at_1_4x()
    {
        var ninth = new DateTimeOffset(2026, 11, 9, 0, 0, 0, TimeSpan.Zero);
        string[] Days(decimal tenth) => [Row(10m, ninth, "OpenAI", "GPT-4o", "worker"), Row(tenth, ninth.AddDays(1), "OpenAI", "GPT-4o", "worker")];

        await ImportAndEvaluateAsync(Days(14m));
        Assert.Null(await FiringAsync(CostAlerts.DayOverDay, "worker"));

        await ImportAndEvaluateAsync(Days(16m));
        var alert = await FiringAsync(CostAlerts.DayOverDay, "worker");
        Assert.NotNull(alert);
        Assert.Equal("worker: $16.00 on 2026-11-10, 1.6x the $10.00 of the day before", alert.Annotations.Get("summary"));
        // The whole bill jumped the same way.
        Assert.Contains(await server.StoredAlertsAsync(), a => a.Labels.Get("alertname") == CostAlerts.DayOverDay && a.Labels.Get("scope") == "total");
        // 26 spent of a 50 threshold: no threshold alert yet.
        Assert.Null(await FiringAsync(CostAlerts.OverThreshold, "worker"));
    }

    [Fact]
    public async Task A_service_over_its_threshold_alerts_and_a_small_jump_below_the_minimum_does_not()
    {
        // 8 days at 6, then 2 and 4: 54 spent of a 50 threshold. Day 10 at 4 after 2 is 2x, but under the 5 minimum.
        await ImportAndEvaluateAsync([.. Daily(6m, "worker", 8), Row(2m, new DateTimeOffset(2026, 11, 9, 0, 0, 0, TimeSpan.Zero), "AWS", "Amazon EC2", "worker"),
            Row(4m, new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero), "AWS", "Amazon EC2", "worker")]);

        var alert = await FiringAsync(CostAlerts.OverThreshold, "worker");
        Assert.NotNull(alert);
        Assert.Equal("worker: $54.00 spent in 2026-11, over its threshold of $50.00", alert.Annotations.Get("summary"));
        Assert.Null(await FiringAsync(CostAlerts.DayOverDay, "worker"));
    }
}

public sealed class CostAlertsOnSqlite : CostAlertTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class CostAlertsOnPostgres(PostgresServer postgres) : CostAlertTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
