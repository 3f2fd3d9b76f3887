using System.Net.Http.Json;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>Issue 22: a guided run started from an incident's page, ticked step by step, appears on the incident's timeline.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class RunbookRunPagesTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string runbooks = Directory.CreateTempSubdirectory("vigil-runbooks-").FullName;
    private TestServer server = null!;

    private const string Vacuum = """
        ---
        title: Database vacuum
        risk: Medium
        services: [checkout]
        ---
        # Runbook: Database vacuum

        **Purpose**: Reclaim space
        **When to use**: When table bloat alerts fire

        ## Prerequisites

        - Backup taken

        ## Procedure

        ### Step 1: Vacuum the database
        **Expected result**: vacuumdb exits 0

        ### Step 2: Check bloat
        **Expected result**: bloat under 10%

        ## Verification

        - [ ] Bloat under 10%

        ## Rollback

        1. Nothing to roll back
        """;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(runbooks, "database-vacuum.md"), Vacuum);
        server = await TestServer.StartAsync(configYaml: $"""
            services:
              - name: checkout
            runbooks:
              directory: {runbooks}
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(runbooks, recursive: true);
    }

    [Fact]
    public Task Chromium_starts_a_run_from_an_incident_ticks_two_steps_and_sees_them_on_the_incident_timeline() =>
        chromium.RunAsync(nameof(Chromium_starts_a_run_from_an_incident_ticks_two_steps_and_sees_them_on_the_incident_timeline), output, async page =>
        {
            var opened = await server.Http.PostAsJsonAsync("/api/incidents", new { title = "Checkout slow", severity = "P2", services = new[] { new { service = "checkout", impact = "degraded_performance" } } }, TestServer.Json);
            Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync());
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/incidents/INC-2026-001").ToString());

            var link = page.Locator("[data-runbooks] li[data-runbook=database-vacuum]");
            Assert.Contains("checkout", await link.InnerTextAsync());
            await link.GetByRole(AriaRole.Link, new() { Name = "Database vacuum" }).ClickAsync();
            await page.WaitForPageAsync("**/runbooks/database-vacuum?incident=INC-2026-001");
            Assert.Equal("INC-2026-001", await page.GetByLabel("Incident").InputValueAsync());
            await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
            await page.WaitForPageAsync("**/runbook-runs/1");

            await page.GetByLabel("Note or output").FillAsync("VACUUM\nINFO: vacuuming public.orders");
            await page.GetByRole(AriaRole.Button, new() { Name = "Done", Exact = true }).ClickAsync();
            await page.Locator("li[data-step='1'][data-step-status=done]").WaitForAsync();
            server.Clock.Advance(TimeSpan.FromMinutes(2));
            await page.GetByLabel("Note or output").FillAsync("bloat 4%");
            await page.GetByRole(AriaRole.Button, new() { Name = "Done", Exact = true }).ClickAsync();
            await page.Locator("li[data-step='2'][data-step-status=done]").WaitForAsync();
            Assert.Contains("done by test-admin", await page.Locator("li[data-step='2']").InnerTextAsync());

            await page.Locator("a[data-incident]").ClickAsync();
            await page.WaitForPageAsync("**/incidents/INC-2026-001");
            var rows = await page.Locator("table.timeline tr[data-kind=runbook]").AllInnerTextsAsync();
            Assert.Equal(3, rows.Count);
            Assert.Contains("Started runbook \"Database vacuum\"", rows[0]);
            Assert.Contains("step 1 \"Vacuum the database\" done: VACUUM", rows[1]);
            Assert.Contains("step 2 \"Check bloat\" done: bloat 4%", rows[2]);
            Assert.Contains("Run 1: Database vacuum", await page.Locator("[data-runbooks] li[data-run='1']").InnerTextAsync());
        });
}
