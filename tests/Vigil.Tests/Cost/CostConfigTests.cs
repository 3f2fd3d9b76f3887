using System.Collections;
using System.CommandLine;
using Vigil.Cli;
using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cost;

/// <summary><c>cost:</c> in vigil.yaml, checked with file:line; and <c>vigil cost import</c> against a server.</summary>
public sealed class CostConfigTests
{
    [Fact]
    public void Bad_cost_settings_are_reported_at_their_lines()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            services: [{name: api}]
            cost:
              mappings:
                - match: {ServiceNme: "Amazon RDS"}
                  service: api
                - match: {ServiceName: "Amazon S3"}
                  service: storage
              budgets:
                - {service: api, monthly: -5}
                - {service: api}
              alerts: {day_over_day: 0.5}
            """, new Hashtable());

        Assert.Equal(
        [
            "vigil.yaml:4:27: \"ServiceNme\" is not a column a mapping can match: one of ProviderName, ServiceName, ServiceCategory, ResourceId, ResourceName, RegionName, SubAccountName, ChargeCategory",
            "vigil.yaml:7:16: no service \"storage\" in services:",
            "vigil.yaml:9:31: must be above 0",
            "vigil.yaml:10:7: a monthly budget, a threshold, or both are required",
            "vigil.yaml:10:17: \"api\" already has a budget",
            "vigil.yaml:11:26: 0.5 is not a ratio above 1 (1.5 = a 50 % increase)",
        ], loaded.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Seed_002s_budget_alert_and_anomaly_alert_are_valid_config()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            services: [{name: api}, {name: agents}]
            cost:
              allocation: {tag: service}
              mappings:
                - match: {ProviderName: OpenAI}
                  service: agents
              budgets:
                - {service: agents, monthly: 500, threshold: 450}
              total_budget: 2000
              alerts: {forecast_percent: 80, day_over_day: 1.5, day_over_day_minimum: 10}
            """, new Hashtable());

        Assert.Empty(loaded.Errors);
        Assert.Equal(("agents", 500.0, 1.5), (loaded.Config.Cost.Budgets[0].Service, loaded.Config.Cost.Budgets[0].Monthly, loaded.Config.Cost.Alerts.DayOverDay));
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { CostCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Vigil_cost_import_sends_the_file_and_prints_the_errors_of_a_bad_one()
    {
        await using var server = await TestServer.StartAsync(null, CostImportTests.Config);
        var url = server.BaseAddress.ToString();
        var token = (await TestServer.CreateTokenAsync(server.Http, "billing", Role.Manager)).Token;
        var directory = Directory.CreateTempSubdirectory("vigil-cost-");
        try
        {
            var bill = Path.Combine(directory.FullName, "bill-003.csv");
            await File.WriteAllTextAsync(bill, CostImportTests.Fixture("bill-003.csv"));
            var imported = await RunAsync("cost", "import", bill, "--format", "simple", "--month", "2026-11", "--server", url, "--token", token);
            Assert.Equal((0, $"imported 8 lines from {bill} as simple (simple), 2026-11-01 to 2026-12-01: total $161.00", ""), (imported.Exit, imported.Output.Trim(), imported.Error));
            var again = await RunAsync("cost", "import", bill, "--month", "2026-11", "--server", url, "--token", token);
            Assert.EndsWith("; replaced 1 earlier import of that period", again.Output.Trim(), StringComparison.Ordinal);

            var bad = Path.Combine(directory.FullName, "aws.csv");
            var lines = CostImportTests.Fixture("focus-2026-10.csv").Split('\n');
            lines[6] = lines[6].Replace("-5.00,-5.00,", "minus five,-5.00,", StringComparison.Ordinal);
            await File.WriteAllTextAsync(bad, string.Join('\n', lines));
            var refused = await RunAsync("cost", "import", bad, "--server", url, "--token", token);
            Assert.Equal(1, refused.Exit);
            Assert.Contains("aws.csv:7: BilledCost: \"minus five\" is not a number", refused.Error, StringComparison.Ordinal);

            var report = await RunAsync("cost", "report", "--month", "2026-11", "--server", url, "--token", token);
            Assert.Equal(0, report.Exit);
            Assert.Contains("unallocated", report.Output, StringComparison.Ordinal);
            Assert.Equal(2, (await RunAsync("cost", "import", bill, "--format", "xml", "--server", url, "--token", token)).Exit);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
