using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// Requests Vigil must refuse in its own words and without changing anything: free text past the
/// documented limits (a 12 MB description once made every service list 12 MB), a JSON body sent as
/// another media type (415, not "no permission"), a method a path does not take (405 with Allow).
/// </summary>
public sealed class RequestLimitsTests : IAsyncLifetime
{
    private const string Token = "prometheus-integration-token-limits-0123456789";
    private static readonly string TooLong = new('x', 16_385);
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(null, "alerting:\n  evaluation_interval: 1m\n");
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "prometheus.token"), Token + "\n");
        await server.WriteConfigAsync("""
            alerting:
              integrations:
                - name: prometheus
                  type: alertmanager
                  token_file: prometheus.token
            """);
        var reload = await server.Http.PostAsync("/-/reload", null);
        Assert.True(reload.IsSuccessStatusCode, await reload.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_description_past_the_limit_is_refused_naming_the_field_and_nothing_is_created()
    {
        var response = await server.Http.PostAsJsonAsync("/api/services", new { name = "api", description = TooLong });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("is longer than 16,384 characters", problem.GetProperty("errors").GetProperty("description")[0].GetString());
        Assert.DoesNotContain("\"api\"", await server.Http.GetStringAsync("/api/services"));

        var atTheLimit = await server.Http.PostAsJsonAsync("/api/services", new { name = "api", description = TooLong[1..] });
        Assert.Equal(HttpStatusCode.Created, atTheLimit.StatusCode);
    }

    [Fact]
    public async Task A_silence_comment_past_the_limit_is_refused_naming_the_field()
    {
        var response = await server.Http.PostAsJsonAsync("/api/silences", new
        {
            matchers = new[] { "service=\"api\"" },
            ends_at = TimeProvider.System.GetUtcNow().AddHours(1),
            comment = TooLong,
        });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("comment", out _), problem.ToString());
        Assert.Equal("[]", (await server.Http.GetStringAsync("/api/silences")).Replace(" ", ""));
    }

    [Fact]
    public async Task An_inbound_alert_annotation_past_the_limit_is_refused_naming_the_alert_and_the_annotation()
    {
        var prometheus = server.WithToken(Token);
        var body = JsonSerializer.Serialize(new[] { new { labels = new { alertname = "Big", service = "api" }, annotations = new { description = TooLong } } });

        var response = await prometheus.PostAsync("/api/v2/alerts", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("[0].annotations.description", out _), problem.ToString());
    }

    [Fact]
    public async Task A_runbook_may_be_a_long_document_but_not_an_endless_one()
    {
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsJsonAsync("/api/services", new { name = "api" })).StatusCode);
        // 100 KB: far past the limit on ordinary text, well within a document's.
        var markdown = Runbooks.RunbookCheckTests.Template.Replace("**Command**: vacuum-db\n", "", StringComparison.Ordinal) + "\n## Notes\n\n" + string.Concat(Enumerable.Repeat("Check the load balancer before anything else.\n", 2_200));

        var saved = await server.Http.PutAsJsonAsync("/api/runbooks/restart-api", new { markdown });
        var endless = await server.Http.PutAsJsonAsync("/api/runbooks/restart-api", new { markdown = markdown + new string('x', 1_048_577) });

        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var problem = await ProblemAsync(endless, HttpStatusCode.BadRequest);
        Assert.Equal("is longer than 1,048,576 characters", problem.GetProperty("errors").GetProperty("markdown")[0].GetString());
    }

    [Fact]
    public async Task Json_sent_as_text_plain_is_415_naming_the_content_type()
    {
        var response = await server.Http.PostAsync("/api/services", new StringContent("""{"name":"api"}""", Encoding.UTF8, "text/plain"));

        var problem = await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
        Assert.Contains("text/plain", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("\"api\"", await server.Http.GetStringAsync("/api/services"));
    }

    [Fact]
    public async Task A_method_the_path_does_not_take_is_405_with_allow()
    {
        var response = await server.Http.DeleteAsync("/api/services");

        var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", response.Content.Headers.Allow);
        Assert.Contains("DELETE is not allowed here", problem.GetProperty("detail").GetString());
    }
}
