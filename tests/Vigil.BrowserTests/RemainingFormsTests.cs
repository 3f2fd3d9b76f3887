using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.BrowserTests;

/// <summary>
/// Issue 23, the rest of "create, edit and delete from the console for everything the API can change": recurring
/// tasks, expiring documents, restore drills (and Vigil's own backup), deployments and runbooks. Each flow makes a
/// mistake first (the API's reason beside the field, nothing saved, checked through the API), then the right submit
/// and its effect on the page and in the API. One server for the class, on SQLite.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class RemainingFormsTests(Chromium chromium, RemainingFormsTests.Server shared, ITestOutputHelper output) : IClassFixture<RemainingFormsTests.Server>
{
    private const string Runbook = """
        ---
        title: Restart the shop
        risk: Low
        ---
        # Runbook: Restart the shop

        **Purpose**: Bring the shop back
        **When to use**: The shop answers 5xx

        ## Prerequisites

        - Someone on call for the shop

        ## Procedure

        ### Step 1: Restart the service
        **Expected result**: the health check answers 200

        ## Verification

        - The home page loads

        ## Rollback

        1. Nothing to roll back
        """;

    /// <summary>One server for the whole class (each test works on objects of its own), so the suite stays fast.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public TestServer Vigil { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Vigil = await TestServer.StartAsync(configYaml: """
                services:
                  - name: shop
                    environments:
                      - name: production
                tasks:
                  - name: config-rotation
                    cron: "0 4 * * *"
                    assignee: {role: admin}
                documents:
                  - name: config-cert
                    kind: certificate
                    expires_at: "2027-06-01"
                backup_policies:
                  - name: shop-db
                    service: shop
                    tier: critical
                    kinds:
                      - {kind: full, schedule: "0 2 * * *"}
                """);
            var saved = await Vigil.Http.PutAsJsonAsync("/api/runbooks/restart-shop", new { markdown = Runbook });
            Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        }

        public async Task DisposeAsync() => await Vigil.DisposeAsync();
    }

    private TestServer server => shared.Vigil;

    private string Url(string path) => new Uri(server.BaseAddress, path).ToString();

    [Fact]
    public Task A_recurring_task_is_created_with_its_schedule_and_deleted_once_confirmed_and_a_config_task_is_read_only() =>
        chromium.RunAsync(nameof(A_recurring_task_is_created_with_its_schedule_and_deleted_once_confirmed_and_a_config_task_is_read_only), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/tasks"));
            // The task of vigil.yaml points at its line and offers no delete.
            var config = page.Locator("tr[data-task=config-rotation]");
            Assert.Contains("Defined in", await config.Locator(".defined-in").InnerTextAsync());
            Assert.Equal(0, await config.Locator("form[data-form=delete-task]").CountAsync());

            // A mistake: a cron expression that does not parse, and two assignees.
            var form = page.Locator("form[data-form=create-task]");
            await form.GetByLabel("Name", new() { Exact = true }).FillAsync("cert-review");
            await form.GetByLabel("Title").FillAsync("Review certificates");
            await form.GetByLabel("Cron").FillAsync("every monday");
            await form.GetByLabel("User").FillAsync("test-admin");
            await form.GetByLabel("Role").FillAsync("admin");
            await form.GetByRole(AriaRole.Button, new() { Name = "Create task" }).ClickAsync();
            Assert.Contains("invalid cron expression", await page.Locator("form[data-form=create-task] [data-error=cron]").InnerTextAsync());
            Assert.Contains("exactly one of user, role or schedule", await page.Locator("form[data-form=create-task] [data-error=assignee]").InnerTextAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/tasks/cert-review")).StatusCode);

            // Put right: the form kept what was typed.
            form = page.Locator("form[data-form=create-task]");
            Assert.Equal("Review certificates", await form.GetByLabel("Title").InputValueAsync());
            await form.GetByLabel("Cron").FillAsync("0 9 * * MON");
            await form.GetByLabel("Role").FillAsync("");
            await form.GetByLabel("Grace").FillAsync("4h");
            await form.GetByLabel("Checklist (one item a line)").FillAsync("List certificates\nRenew those under 30 days");
            await form.GetByLabel("Labels (key=value, one a line)").FillAsync("team=security");
            await form.GetByRole(AriaRole.Button, new() { Name = "Create task" }).ClickAsync();
            Assert.Equal("Created cert-review.", await page.Locator("[data-message]").InnerTextAsync());
            var row = page.Locator("tr[data-task=cert-review]");
            Assert.Contains("Review certificates", await row.InnerTextAsync());
            Assert.Contains("Renew those under 30 days", await row.InnerTextAsync());
            var task = await server.GetJsonAsync<JsonElement>("/api/tasks/cert-review");
            Assert.Equal("0 9 * * MON", task.GetProperty("cron").GetString());
            Assert.Equal("4h", task.GetProperty("grace").GetString());
            Assert.Equal("user test-admin", task.GetProperty("assignee").GetString());
            Assert.Equal(["List certificates", "Renew those under 30 days"], task.GetProperty("checklist").EnumerateArray().Select(i => i.GetString()));
            var definition = await server.QueryAsync(async db => (await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
                db.Set<Vigil.Features.Tasks.StoredTask>(), t => t.Name == "cert-review")).Definition());
            Assert.Equal("security", definition.Labels["team"]);

            // Delete: refused without the box ticked, done with it.
            await row.GetByRole(AriaRole.Button, new() { Name = "Delete task" }).ClickAsync();
            Assert.Contains("tick the box", await page.Locator("tr[data-task=cert-review] [data-error=confirm]").InnerTextAsync());
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/tasks/cert-review")).StatusCode);
            row = page.Locator("tr[data-task=cert-review]");
            await row.GetByLabel("Yes, delete cert-review and its completions").CheckAsync();
            await row.GetByRole(AriaRole.Button, new() { Name = "Delete task" }).ClickAsync();
            Assert.Equal("Deleted cert-review.", await page.Locator("[data-message]").InnerTextAsync());
            Assert.Equal(0, await page.Locator("tr[data-task=cert-review]").CountAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/tasks/cert-review")).StatusCode);
        });

    [Fact]
    public Task A_document_is_created_edited_from_its_row_and_deleted_once_confirmed() =>
        chromium.RunAsync(nameof(A_document_is_created_edited_from_its_row_and_deleted_once_confirmed), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/documents"));
            Assert.Contains("Defined in", await page.Locator("tr[data-document=config-cert] .defined-in").InnerTextAsync());
            Assert.Equal(0, await page.Locator("tr[data-document=config-cert] form").CountAsync());

            // A mistake: an expiry that is not a date.
            var form = page.Locator("form[data-form=save-document]");
            await form.GetByLabel("Name").FillAsync("shop-domain");
            await form.GetByLabel("Kind").SelectOptionAsync("domain");
            await form.GetByLabel("Reminders").FillAsync("30d, soon");
            await form.GetByLabel("Expires").FillAsync("2027-03-01");
            await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            Assert.Contains("\"soon\" is not a duration", await page.Locator("[data-error=reminders]").InnerTextAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/documents/shop-domain")).StatusCode);

            form = page.Locator("form[data-form=save-document]");
            await form.GetByLabel("Reminders").FillAsync("30d, 7d");
            await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            Assert.Equal("Saved shop-domain.", await page.Locator("[data-message]").InnerTextAsync());
            Assert.Equal("2027-03-01", await page.Locator("tr[data-document=shop-domain] [data-expires]").InnerTextAsync());

            // Edit (PUT): the row's link fills the form with the document's values.
            await page.GetByRole(AriaRole.Link, new() { Name = "Edit shop-domain" }).ClickAsync();
            await page.WaitForPageAsync("**/documents?edit=shop-domain#save");
            form = page.Locator("form[data-form=save-document]");
            Assert.Equal("domain", await form.GetByLabel("Kind").InputValueAsync());
            Assert.Equal("30d, 7d", await form.GetByLabel("Reminders").InputValueAsync());
            await form.GetByLabel("Expires").FillAsync("2027-04-15");
            await form.GetByLabel("Owner").FillAsync("web-team");
            await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            Assert.Equal("Saved shop-domain.", await page.Locator("[data-message]").InnerTextAsync());
            var document = await server.GetJsonAsync<JsonElement>("/api/documents/shop-domain");
            Assert.Equal("web-team", document.GetProperty("owner").GetString());
            Assert.StartsWith("2027-04-15", document.GetProperty("expires_at").GetString());
            Assert.Contains(await server.AuditAsync(), e => e.Action == "update" && e.Resource == "document" && e.ResourceId == "shop-domain");

            // Delete, once the box is ticked.
            var row = page.Locator("tr[data-document=shop-domain]");
            await row.GetByRole(AriaRole.Button, new() { Name = "Delete document" }).ClickAsync();
            Assert.Contains("tick the box", await page.Locator("tr[data-document=shop-domain] [data-error=confirm]").InnerTextAsync());
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/documents/shop-domain")).StatusCode);
            row = page.Locator("tr[data-document=shop-domain]");
            await row.GetByLabel("Yes, delete shop-domain").CheckAsync();
            await row.GetByRole(AriaRole.Button, new() { Name = "Delete document" }).ClickAsync();
            Assert.Equal("Deleted shop-domain.", await page.Locator("[data-message]").InnerTextAsync());
            Assert.Equal(0, await page.Locator("tr[data-document=shop-domain]").CountAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/documents/shop-domain")).StatusCode);
        });

    [Fact]
    public Task A_restore_drill_is_recorded_from_the_policy_page_and_vigil_is_backed_up_from_the_system_page() =>
        chromium.RunAsync(nameof(A_restore_drill_is_recorded_from_the_policy_page_and_vigil_is_backed_up_from_the_system_page), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/backups/shop-db"));
            Assert.Contains("no drill recorded", await page.Locator("[data-last-drill]").InnerTextAsync());

            var form = page.Locator("form[data-form=record-drill]");
            await form.GetByLabel("Duration").FillAsync("forever");
            await form.GetByRole(AriaRole.Button, new() { Name = "Record drill" }).ClickAsync();
            Assert.Contains("\"forever\" is not a positive duration", await page.Locator("[data-error=duration]").InnerTextAsync());
            var reports = await server.GetJsonAsync<JsonElement>("/api/backups/policies/shop-db/reports");
            Assert.DoesNotContain(reports.EnumerateArray(), r => r.GetProperty("kind").GetString() == "restore");

            form = page.Locator("form[data-form=record-drill]");
            Assert.Equal("forever", await form.GetByLabel("Duration").InputValueAsync());
            await form.GetByLabel("Duration").FillAsync("45m");
            await form.GetByLabel("Notes").FillAsync("Restored last night's full backup to a scratch host");
            await form.GetByRole(AriaRole.Button, new() { Name = "Record drill" }).ClickAsync();
            Assert.Equal("Recorded a success drill of 45m, within the RTO of 1h.", await page.Locator("[data-message]").InnerTextAsync());
            Assert.Contains("took 45m", await page.Locator("[data-last-drill]").InnerTextAsync());
            reports = await server.GetJsonAsync<JsonElement>("/api/backups/policies/shop-db/reports");
            var drill = Assert.Single(reports.EnumerateArray(), r => r.GetProperty("kind").GetString() == "restore");
            Assert.Equal("success", drill.GetProperty("status").GetString());

            // Vigil's own backup: the System page's button downloads the archive POST /api/system/backup answers.
            await page.GotoAsync(Url("/system"));
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Back up now" }).ClickAsync());
            Assert.Matches(@"^vigil-backup-\d{8}T\d{6}Z\.tar$", download.SuggestedFilename);
            var archive = await download.PathAsync();
            Assert.True(new FileInfo(archive).Length > 0);
            Assert.Contains(await server.AuditAsync(), e => e.Action == "create" && e.Resource == "backup" && e.Username == TestServer.AdminUsername);
        });

    [Fact]
    public Task A_deployment_is_recorded_from_the_list_page_and_opens_its_page() =>
        chromium.RunAsync(nameof(A_deployment_is_recorded_from_the_list_page_and_opens_its_page), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/deployments"));
            var form = page.Locator("form[data-form=record-deployment]");
            await form.GetByLabel("Service").FillAsync("shop");
            await form.GetByLabel("Environment").FillAsync("moon");
            await form.GetByLabel("Version", new() { Exact = true }).FillAsync("v2.1.0");
            await form.GetByLabel("Strategy").SelectOptionAsync("blue_green");
            await form.GetByRole(AriaRole.Button, new() { Name = "Record deployment" }).ClickAsync();
            Assert.Contains("unknown environment \"moon\" for shop: use one of production", await page.Locator("[data-error=environment]").InnerTextAsync());
            Assert.Equal(0, (await server.GetJsonAsync<JsonElement>("/api/deployments")).GetArrayLength());

            form = page.Locator("form[data-form=record-deployment]");
            Assert.Equal("blue_green", await form.GetByLabel("Strategy").InputValueAsync());
            await form.GetByLabel("Environment").FillAsync("production");
            await form.GetByLabel("Commit").FillAsync("4f2a9c1");
            await form.GetByLabel("Links (one URL a line)").FillAsync("https://ci.example.test/run/812");
            await form.GetByRole(AriaRole.Button, new() { Name = "Record deployment" }).ClickAsync();
            await page.WaitForPageAsync(new System.Text.RegularExpressions.Regex(@"/deployments/\d+$"));
            var deployments = await server.GetJsonAsync<JsonElement>("/api/deployments");
            var recorded = Assert.Single(deployments.EnumerateArray());
            Assert.Equal("v2.1.0", recorded.GetProperty("version").GetString());
            Assert.Equal("blue_green", recorded.GetProperty("strategy").GetString());
            Assert.Equal("in_progress", recorded.GetProperty("status").GetString());
            Assert.Equal(TestServer.AdminUsername, recorded.GetProperty("deployed_by").GetString());
            Assert.EndsWith($"/deployments/{recorded.GetProperty("id").GetInt32()}", page.Url);
            Assert.Contains("v2.1.0", await page.Locator("h1").InnerTextAsync());
        });

    [Fact]
    public Task A_runbook_is_written_and_edited_from_the_console_with_its_problems_by_line() =>
        chromium.RunAsync(nameof(A_runbook_is_written_and_edited_from_the_console_with_its_problems_by_line), output, async page =>
        {
            await ConsoleSession.SignInAsync(page, server);
            await page.GotoAsync(Url("/runbooks/restart-shop"));
            var form = page.Locator("form[data-form=edit-runbook]");
            Assert.Equal(Runbook.ReplaceLineEndings("\n"), (await form.GetByLabel("Markdown").InputValueAsync()).ReplaceLineEndings("\n"));

            // A mistake: a risk level the template does not know.
            await form.GetByLabel("Markdown").FillAsync(Runbook.Replace("risk: Low", "risk: Extreme", StringComparison.Ordinal));
            await form.GetByRole(AriaRole.Button, new() { Name = "Save runbook" }).ClickAsync();
            Assert.Contains("line 3: risk must be Low, Medium or High", await page.Locator("[data-error=markdown]").InnerTextAsync());
            var stored = await server.GetJsonAsync<JsonElement>("/api/runbooks/restart-shop");
            Assert.Equal(1, stored.GetProperty("version").GetInt32());

            form = page.Locator("form[data-form=edit-runbook]");
            await form.GetByLabel("Markdown").FillAsync(Runbook.Replace("risk: Low", "risk: Medium", StringComparison.Ordinal));
            await form.GetByRole(AriaRole.Button, new() { Name = "Save runbook" }).ClickAsync();
            Assert.Equal("Saved version 2.", await page.Locator("[data-saved]").InnerTextAsync());
            Assert.Equal("Medium", await page.Locator("[data-risk]").InnerTextAsync());
            stored = await server.GetJsonAsync<JsonElement>("/api/runbooks/restart-shop");
            Assert.Equal(2, stored.GetProperty("version").GetInt32());
            Assert.Equal("medium", stored.GetProperty("risk").GetString());

            // A new one from the list: a taken name is refused, a new name saved as version 1.
            await page.GotoAsync(Url("/runbooks"));
            var create = page.Locator("form[data-form=create-runbook]");
            await create.GetByLabel("Name").FillAsync("restart-shop");
            await create.GetByLabel("Markdown").FillAsync(Runbook);
            await create.GetByRole(AriaRole.Button, new() { Name = "Save runbook" }).ClickAsync();
            Assert.Contains("already exists", await page.Locator("[data-error=name]").InnerTextAsync());
            Assert.Equal(2, (await server.GetJsonAsync<JsonElement>("/api/runbooks/restart-shop")).GetProperty("version").GetInt32());
            create = page.Locator("form[data-form=create-runbook]");
            await create.GetByLabel("Name").FillAsync("drain-shop");
            await create.GetByRole(AriaRole.Button, new() { Name = "Save runbook" }).ClickAsync();
            await page.WaitForPageAsync("**/runbooks/drain-shop");
            Assert.Equal(1, (await server.GetJsonAsync<JsonElement>("/api/runbooks/drain-shop")).GetProperty("version").GetInt32());
        });

    [Fact]
    public Task Axe_finds_no_serious_or_critical_violation_on_the_pages_with_these_forms() =>
        chromium.RunAsync(nameof(Axe_finds_no_serious_or_critical_violation_on_the_pages_with_these_forms), output, async page =>
        {
            // Rows with their delete forms: an API task and an API document beside the config ones.
            (await server.Http.PostAsJsonAsync("/api/tasks", new { name = "axe-task", cron = "0 5 * * *", assignee = new { role = "admin" } })).EnsureSuccessStatusCode();
            (await server.Http.PostAsJsonAsync("/api/documents", new { name = "axe-doc", kind = "contract", expires_at = "2027-01-01" })).EnsureSuccessStatusCode();
            await ConsoleSession.SignInAsync(page, server);
            var found = new List<string>();
            foreach (var path in new[] { "/tasks", "/documents", "/backups/shop-db", "/deployments", "/runbooks", "/runbooks/restart-shop", "/system" })
            {
                await page.GotoAsync(Url(path));
                var violations = await Axe.SeriousViolationsAsync(page);
                if (violations.Count > 0)
                {
                    found.Add($"{path}:\n{Axe.Describe(violations)}");
                }
            }
            Assert.True(found.Count == 0, string.Join("\n", found));
        }, Axe.Context(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } }));

    [Fact]
    public async Task A_viewer_who_posts_these_forms_changes_nothing()
    {
        // The forms are not shown to a viewer, so a hand-made post finds no form of that name to run (the page's
        // handlers check the endpoint's permission again besides): nothing is created, deleted or audited.
        (await server.Http.PostAsJsonAsync("/api/tasks", new { name = "kept-task", cron = "0 6 * * *", assignee = new { role = "admin" } })).EnsureSuccessStatusCode();
        (await server.Http.PostAsJsonAsync("/api/documents", new { name = "kept-doc", kind = "contract", expires_at = "2027-01-01" })).EnsureSuccessStatusCode();
        await server.CreateUserAsync("vera", "viewer");
        var vera = await server.SignInAsync("vera", "a long enough password");
        var before = (await server.AuditAsync()).Count;

        await TestServer.PostFormAsync(vera, "/tasks", "create-task", new() { ["Create.Name"] = "sneaky", ["Create.Cron"] = "0 1 * * *", ["Create.AssigneeRole"] = "viewer" });
        await TestServer.PostFormAsync(vera, "/tasks", "delete-kept-task", new() { ["Delete.Confirm"] = "true" });
        await TestServer.PostFormAsync(vera, "/documents", "save-document", new() { ["Form.Name"] = "sneaky", ["Form.Kind"] = "contract", ["Form.ExpiresAt"] = "2027-01-01" });
        await TestServer.PostFormAsync(vera, "/documents", "delete-kept-doc", new() { ["Delete.Confirm"] = "true" });
        await TestServer.PostFormAsync(vera, "/backups/shop-db", "record-drill", new() { ["Drill.Duration"] = "10m" });
        await TestServer.PostFormAsync(vera, "/deployments", "record-deployment", new() { ["Record.Service"] = "shop", ["Record.Environment"] = "production", ["Record.Version"] = "sneaky" });
        await TestServer.PostFormAsync(vera, "/runbooks", "create-runbook", new() { ["Create.Name"] = "sneaky", ["Create.Markdown"] = Runbook });
        await TestServer.PostFormAsync(vera, "/runbooks/restart-shop", "edit-runbook", new() { ["Edit.Markdown"] = Runbook.Replace("Low", "High", StringComparison.Ordinal) });

        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/tasks/sneaky")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/tasks/kept-task")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/documents/sneaky")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/documents/kept-doc")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/runbooks/sneaky")).StatusCode);
        Assert.DoesNotContain((await server.GetJsonAsync<JsonElement>("/api/deployments")).EnumerateArray(), d => d.GetProperty("version").GetString() == "sneaky");
        Assert.DoesNotContain((await server.GetJsonAsync<JsonElement>("/api/backups/policies/shop-db/reports")).EnumerateArray(), r => r.GetProperty("status").GetString() == "success" && r.GetProperty("kind").GetString() == "restore" && r.GetProperty("started_at").GetDateTimeOffset() == r.GetProperty("finished_at").GetDateTimeOffset().AddMinutes(-10));
        Assert.DoesNotContain((await server.AuditAsync()).Skip(before), e => e.Username == "vera" && e.Action != "sign_in");
    }
}
