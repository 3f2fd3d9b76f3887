using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cost;

/// <summary>Importing billing files through the API: FOCUS and simple lists, allocation, replacement, and files with errors.</summary>
public abstract class CostImportTests : IAsyncLifetime
{
    public const string Config = """
        services: [{name: api}, {name: worker}]
        cost:
          allocation: {tag: service}
          mappings:
            - match: {ServiceName: "Amazon RDS"}
              service: api
          budgets:
            - {service: api, monthly: 200}
          total_budget: 300
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cost", "Fixtures", name));

    public static Task<HttpResponseMessage> ImportAsync(HttpClient client, string csv, string query) =>
        client.PostAsync($"/api/cost/imports?{query}", new StringContent(csv, Encoding.UTF8, "text/csv"));

    private async Task<JsonElement> ReportAsync(string month) => await server.Http.GetFromJsonAsync<JsonElement>($"/api/cost/report?month={month}");

    private static decimal Spend(JsonElement report, string service) =>
        report.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service").GetString() == service).GetProperty("spend").GetDecimal();

    [Fact]
    public async Task A_focus_export_imports_with_the_right_sums_per_service_and_provider()
    {
        var response = await ImportAsync(server.Http, Fixture("focus-2026-10.csv"), "file=focus-2026-10.csv");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var import = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("AWS+OpenAI", "focus", 7, 212.00m), (import.GetProperty("source").GetString(), import.GetProperty("format").GetString(), import.GetProperty("lines").GetInt32(), import.GetProperty("total").GetDecimal()));
        var report = await ReportAsync("2026-10");
        // api: RDS by the mapping (120.50), EC2 by its service tag (30.25), a credit (-5.00) and a free Lambda line.
        Assert.Equal(145.75m, Spend(report, "api"));
        // worker: EC2 (45.10) and a day of LLM spend tagged in a quoted JSON with a comma in a value (9.15).
        Assert.Equal(54.25m, Spend(report, "worker"));
        Assert.Equal(12.00m, report.GetProperty("unallocated").GetDecimal());
        Assert.Equal(212.00m, report.GetProperty("total").GetProperty("spend").GetDecimal());
        Assert.True(report.GetProperty("complete").GetBoolean());
        var providers = report.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("provider").GetString()!, p => p.GetProperty("spend").GetDecimal());
        Assert.Equal(new Dictionary<string, decimal> { ["AWS"] = 202.85m, ["OpenAI"] = 9.15m }, providers);
        // A past month's forecast is its spend: api used 72.9 % of its 200 budget.
        var api = report.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service").GetString() == "api");
        Assert.Equal((145.75m, 72.9), (api.GetProperty("forecast").GetDecimal(), api.GetProperty("percent_of_budget").GetDouble()));
        var history = report.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal((12, "2026-10", 212.00m), (history.Count, history[^1].GetProperty("month").GetString(), history[^1].GetProperty("spend").GetDecimal()));

        var audit = Assert.Single(await server.AuditAsync(), e => e.Action == "import");
        Assert.Equal(("cost", "AWS+OpenAI", TestServer.AdminUsername), (audit.Resource, audit.ResourceId, audit.Username));
    }

    [Fact]
    public async Task A_bad_number_on_line_7_imports_nothing_and_names_the_file_line_and_column()
    {
        var good = await ImportAsync(server.Http, Fixture("bill-003.csv"), "file=bill-003.csv&month=2026-10");
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        var lines = Fixture("focus-2026-10.csv").Split('\n');
        lines[6] = lines[6].Replace("-5.00,-5.00,", "-5.0O,-5.00,", StringComparison.Ordinal);

        var response = await ImportAsync(server.Http, string.Join('\n', lines), "file=focus-bad.csv&source=simple");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("focus-bad.csv:7: BilledCost: \"-5.0O\" is not a number (write 12.34, with a '.' and no thousands separator)", problem.GetProperty("detail").GetString());
        // Nothing of the bad file, and the import it would have replaced (same source, same month) is untouched.
        var imports = await server.Http.GetFromJsonAsync<JsonElement>("/api/cost/imports");
        Assert.Equal("bill-003.csv", Assert.Single(imports.EnumerateArray()).GetProperty("file_name").GetString());
        Assert.Equal(161m, (await ReportAsync("2026-10")).GetProperty("total").GetProperty("spend").GetDecimal());
    }

    [Theory]
    [InlineData("ServiceName", "focus-bad.csv:1: ServiceName: the required column is missing (a focus file needs BilledCost, BillingCurrency, ChargePeriodStart, ChargePeriodEnd, ServiceName)")]
    [InlineData("ChargePeriodEnd", "focus-bad.csv:1: ChargePeriodEnd: the required column is missing (a focus file needs BilledCost, BillingCurrency, ChargePeriodStart, ChargePeriodEnd, ServiceName)")]
    public async Task A_missing_required_column_is_named(string column, string detail)
    {
        var csv = Fixture("focus-2026-10.csv").Replace($",{column},", ",Something,", StringComparison.Ordinal);

        var response = await ImportAsync(server.Http, csv, "file=focus-bad.csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonElement>("/api/cost/imports")).EnumerateArray());
    }

    [Fact]
    public async Task A_bad_date_and_a_bad_tags_value_are_each_named_with_their_line()
    {
        var lines = Fixture("focus-2026-10.csv").Split('\n');
        lines[2] = lines[2].Replace("2026-10-01T00:00:00Z,2026-11-01T00:00:00Z", "2026-10-01T00:00:00Z,November", StringComparison.Ordinal);
        lines[3] = lines[3].Replace("\"{\"\"service\"\": \"\"worker\"\"}\"", "\"{service: worker}\"", StringComparison.Ordinal);

        var response = await ImportAsync(server.Http, string.Join('\n', lines), "file=oct.csv");

        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.StartsWith("oct.csv:3: ChargePeriodEnd: \"November\" is not an ISO 8601 date-time", detail, StringComparison.Ordinal);
        Assert.Contains("; oct.csv:4: Tags: not valid JSON", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_003s_bill_as_a_simple_list_totals_161_and_importing_the_month_again_replaces_it()
    {
        var first = await ImportAsync(server.Http, Fixture("bill-003.csv"), "file=bill-003.csv&month=2026-11");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(161m, (await ReportAsync("2026-11")).GetProperty("total").GetProperty("forecast").GetDecimal());

        var corrected = Fixture("bill-003.csv").Replace("Railway,2 services auto-scaling,$50", "Railway,2 services auto-scaling,$60", StringComparison.Ordinal);
        var second = await ImportAsync(server.Http, corrected, "file=bill-003.csv&month=2026-11");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(1, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replaced").GetInt32());
        Assert.Single((await server.Http.GetFromJsonAsync<JsonElement>("/api/cost/imports")).EnumerateArray());
        // The month's charges spread evenly over it: on 2 November 09:00 (1.375 of 30 days) 171 * 1.375 / 30 is spent.
        var report = await ReportAsync("2026-11");
        Assert.Equal((7.84m, 171m), (report.GetProperty("total").GetProperty("spend").GetDecimal(), report.GetProperty("total").GetProperty("forecast").GetDecimal()));
    }

    [Fact]
    public async Task A_viewer_sees_the_report_but_may_not_import()
    {
        var viewer = await server.ClientFor(Role.Viewer);

        Assert.Equal(HttpStatusCode.Forbidden, (await ImportAsync(viewer, Fixture("bill-003.csv"), "month=2026-11")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/cost/report")).StatusCode);
        var bad = await viewer.GetAsync("/api/cost/report?month=November");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("month", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class CostImportOnSqlite : CostImportTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class CostImportOnPostgres(PostgresServer postgres) : CostImportTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
