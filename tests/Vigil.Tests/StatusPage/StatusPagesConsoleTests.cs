using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.StatusPage;

public sealed class StatusPagesConsoleTests
{
    [Fact]
    public async Task An_admin_creates_a_page_in_the_console_and_visitors_see_it_while_bad_json_changes_nothing()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            services: [{name: api}]
            status_pages:
              - name: public
                components: [{name: API, services: [api]}]
            """);
        await server.CreateUserAsync("ada", Role.Admin);
        var ada = await server.SignInAsync("ada", "a long enough password");

        var list = await ada.GetStringAsync("/status-pages");
        Assert.Contains("data-page=\"public\"", list);
        Assert.Contains("Defined in vigil.yaml; read-only here", list);

        var bad = await (await TestServer.PostFormAsync(ada, "/status-pages", "save-page", new() { ["Definition"] = """{"name": "Team Page", "components": []}""" })).Content.ReadAsStringAsync();
        Assert.Contains("name: must be 1-63 lowercase letters", bad);
        Assert.Contains("components: a status page needs at least one component", bad);

        var saved = await (await TestServer.PostFormAsync(ada, "/status-pages", "save-page", new()
        {
            ["Definition"] = """{"name": "team", "title": "Team status", "components": [{"name": "API", "services": ["api"]}]}""",
        })).Content.ReadAsStringAsync();
        Assert.Contains("Saved status page &quot;team&quot;.", saved);
        Assert.Contains("<h1>Team status</h1>", await server.Anonymous.GetStringAsync("/status/team"));
        var entry = Assert.Single(await server.AuditAsync(), e => e.Resource == "status_page");
        Assert.Equal(("create", "team", "ada"), (entry.Action, entry.ResourceId, entry.Username));
    }
}
