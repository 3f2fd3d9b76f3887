using System.Collections;
using Vigil.Configuration;
using Vigil.Features.Cost;

namespace Vigil.Tests.Cost;

/// <summary>Allocation, the forecast rule and the day-over-day decision as pure functions, with docs/cost.md's seed 003 example.</summary>
public sealed class CostAllocationTests
{
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Seed_003s_bill_allocates_80_to_api_10_to_worker_and_leaves_71_unallocated_as_the_docs_say()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            services: [{name: api}, {name: worker}]
            cost:
              mappings:
                - {match: {ProviderName: Railway}, service: api}
                - {match: {ProviderName: Neon}, service: api}
                - {match: {ProviderName: Upstash}, service: worker}
              budgets:
                - {service: api, monthly: 100}
              total_budget: 200
            """, new Hashtable());
        Assert.Empty(loaded.Errors);
        var read = ReadBillingFile.Read("bill-003.csv", CostImportTests.Fixture("bill-003.csv"), ReadBillingFile.Simple, November);
        Assert.Empty(read.Errors);

        var report = DescribeCostMonth.Build(CostSpend.Allocate(read.Lines, loaded.Config.Cost), loaded.Config.Cost, November, November.AddMonths(1));

        Assert.Equal([("api", 80m), ("worker", 10m)], report.Services.Select(s => (s.Service!, s.Spend)));
        Assert.Equal((71m, 161m, 80.5), (report.Unallocated, report.Total.Spend, report.Total.PercentOfBudget!.Value));
    }

    [Fact]
    public void A_tag_allocates_when_no_mapping_matches_and_the_first_matching_mapping_wins()
    {
        var settings = new CostSettings
        {
            Mappings = [new() { Match = new() { ["ServiceName"] = "Amazon RDS" }, Service = "db" }, new() { Match = new() { ["ProviderName"] = "AWS" }, Service = "aws" }],
        };
        CostLine Line(string service, string? tags) => new() { ServiceName = service, ProviderName = "AWS", BillingCurrency = "USD", Tags = tags };

        Assert.Equal("db", CostSpend.ServiceOf(Line("Amazon RDS", """{"service":"api"}"""), settings));
        Assert.Equal("aws", CostSpend.ServiceOf(Line("Amazon EC2", """{"service":"api"}"""), settings));
        settings.Mappings.RemoveAt(1);
        Assert.Equal("api", CostSpend.ServiceOf(Line("Amazon EC2", """{"service":"api"}"""), settings));
        Assert.Equal("", CostSpend.ServiceOf(Line("Amazon EC2", """{"team":"core"}"""), settings));
    }

    [Theory]
    [InlineData(0.5, null)] // the first day: no forecast
    [InlineData(1, 30 * 27.0)]
    [InlineData(10, 3 * 27.0)]
    public void The_forecast_is_spend_so_far_over_elapsed_days_times_days_in_the_month(double elapsedDays, double? forecast)
    {
        Assert.Equal(forecast, (double?)CostSpend.Forecast(27m, November, November.AddDays(elapsedDays)));
    }

    [Theory]
    [InlineData(16, 10, 1.6)]
    [InlineData(14, 10, null)]
    [InlineData(15, 10, null)] // "more than 50 %": exactly 1.5x is not
    [InlineData(4, 2, null)] // under the minimum amount
    [InlineData(16, 0, null)] // nothing the day before
    public void Day_over_day_needs_more_than_the_ratio_and_the_minimum(double day, double before, double? jump)
    {
        Assert.Equal(jump, CostAlerts.Jump((decimal)day, (decimal)before, new CostAlertSettings { DayOverDay = 1.5, DayOverDayMinimum = 5 }));
    }
}
