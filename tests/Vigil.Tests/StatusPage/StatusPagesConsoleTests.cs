using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.StatusPage;

public sealed class StatusPagesConsoleTests
{
    [Fact]
    public async Task An_admin_creates_a_page_in_the_console_form_and_visitors_see_it_while_refused_input_changes_nothing()
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

        // The form's fields, refused by the API's rules: each reason beside its field, nothing stored.
        var bad = await (await TestServer.PostFormAsync(ada, "/status-pages/new", "status-page", new() { ["Form.Name"] = "Team Page", ["Form.Action"] = "save" })).Content.ReadAsStringAsync();
        Assert.Contains("data-error=\"name\" role=\"alert\">must be 1-63 lowercase letters", bad);
        Assert.Contains("data-error=\"components\" role=\"alert\">components: a status page needs at least one component", bad);
        Assert.DoesNotContain(await server.AuditAsync(), e => e.Resource == "status_page");

        var saved = await TestServer.PostFormAsync(ada, "/status-pages/new", "status-page", new()
        {
            ["Form.Name"] = "team",
            ["Form.Title"] = "Team status",
            ["Form.Components[0].Name"] = "API",
            ["Form.Components[0].Services"] = "api",
            ["Form.Action"] = "save",
        });
        Assert.EndsWith("/status-pages?saved=team", saved.Headers.Location?.ToString());
        Assert.Contains("Saved status page &quot;team&quot;.", await ada.GetStringAsync("/status-pages?saved=team"));
        Assert.Contains("<h1>Team status</h1>", await server.Anonymous.GetStringAsync("/status/team"));
        var entry = Assert.Single(await server.AuditAsync(), e => e.Resource == "status_page");
        Assert.Equal(("create", "team", "ada"), (entry.Action, entry.ResourceId, entry.Username));
    }
}
