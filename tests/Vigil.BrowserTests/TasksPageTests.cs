using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class TasksPageTests(Chromium chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(configYaml: """
        tasks:
          - name: weekly-vacuum
            title: Database vacuum
            cron: "0 3 * * MON"
            assignee: {user: dba}
            grace: 2h
            checklist: [Run VACUUM ANALYZE, Check table bloat under 10%]
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public Task Chromium_sees_the_overdue_vacuum_completes_it_with_a_note_and_it_moves_to_done() =>
        chromium.RunAsync(nameof(Chromium_sees_the_overdue_vacuum_completes_it_with_a_note_and_it_moves_to_done), output, async page =>
        {
            server.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 9, 5, 30, 0, TimeSpan.Zero));
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(new Uri(server.BaseAddress, "/catalog").ToString());
            await page.GetByRole(AriaRole.Link, new() { Name = "Tasks", Exact = true }).ClickAsync();
            await page.WaitForPageAsync("**/tasks");

            var overdue = page.Locator("table[data-state=overdue] tr[data-task=weekly-vacuum]");
            Assert.Contains("overdue since 2026-11-09 05:00 UTC", await overdue.InnerTextAsync());
            Assert.Contains("Run VACUUM ANALYZE", await overdue.InnerTextAsync());

            await overdue.GetByLabel("Note").FillAsync("VACUUM ANALYZE done, bloat 4%");
            await overdue.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
            await page.Locator("[data-message]").WaitForAsync();

            Assert.Equal("Completed weekly-vacuum.", await page.Locator("[data-message]").InnerTextAsync());
            Assert.Equal(0, await page.Locator("table[data-state=overdue]").CountAsync());
            Assert.Contains("test-admin", await page.Locator("table[data-state=upcoming] tr[data-task=weekly-vacuum]").InnerTextAsync());
        });
}
