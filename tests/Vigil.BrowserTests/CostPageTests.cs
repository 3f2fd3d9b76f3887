using System.Text;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>Issue 21 item 3 in the console: a bill uploaded with the /cost form shows per service against its budget.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class CostPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Bill = """
        provider,item,monthly_cost
        Railway,2 services auto-scaling,$50
        Neon,Database 4GB,$30
        Clerk,1000 MAU,$25
        """;

    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: """
        services: [{name: api}]
        cost:
          mappings:
            - {match: {ProviderName: Railway}, service: api}
            - {match: {ProviderName: Neon}, service: api}
          budgets:
            - {service: api, monthly: 100}
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_uploads_a_monthly_bill_and_sees_api_at_80_percent_of_its_budget() =>
        chromium.RunAsync(nameof(Chromium_uploads_a_monthly_bill_and_sees_api_at_80_percent_of_its_budget), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
            await page.Locator("nav.sidebar a[href='/cost']").ClickAsync();
            await page.WaitForPageAsync("**/cost");

            await page.Locator("input[name='File']").SetInputFilesAsync(new FilePayload { Name = "bill.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(Bill) });
            await page.Locator("select[name='Form.Format']").SelectOptionAsync("simple");
            await page.Locator("form button[type=submit]", new() { HasText = "Import" }).ClickAsync();

            await page.Locator("[data-message]").WaitForAsync();
            Assert.Equal("Imported 3 lines from bill.csv as simple: $105.00.", await page.Locator("[data-message]").InnerTextAsync());
            // The month's bill on the 2nd of November: forecast $80 for api, 80 % of its $100 budget; Clerk is unallocated.
            var api = page.Locator("tr[data-service=api] td");
            Assert.Equal(["api", "$3.67", "$100.00", "$80.00", "3.7 %", "80 %", ""], await api.AllInnerTextsAsync());
            Assert.Equal("$1.15", await page.Locator("tr[data-service=unallocated] td").Nth(1).InnerTextAsync());
            Assert.Equal("$105.00", await page.Locator("tr[data-import] td").Nth(5).InnerTextAsync());
        });
}
