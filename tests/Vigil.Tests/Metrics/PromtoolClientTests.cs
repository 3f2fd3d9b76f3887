using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>
/// Clients that can only send basic auth (promtool 2.42, which takes credentials in the server URL)
/// reach the Prometheus API with the API token as the password; and the parts of the API such
/// clients and Grafana call besides queries: exemplars and metadata.
/// </summary>
public sealed class PromtoolClientTests : IAsyncLifetime
{
    private const string Promtool = "/usr/bin/promtool";
    private TestServer server = null!;
    private string token = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync();
        token = (await TestServer.CreateTokenAsync(server.Http, "grafana", Vigil.Features.Access.Role.Viewer)).Token;
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static ByteArrayContent RemoteWriteBody(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return content;
    }

    private string UrlWithPassword(string password) =>
        $"http://promtool:{Uri.EscapeDataString(password)}@127.0.0.1:{server.BaseAddress.Port}/prometheus";

    /// <summary>Ten samples of <c>backfilled_total{job="import"}</c>, one a minute from 1700000000 s, 0 to 90.</summary>
    private async Task WriteSamplesAsync()
    {
        var labels = Labels.Of("__name__", "backfilled_total", "job", "import");
        var series = new TimeSeries(labels, [.. Enumerable.Range(0, 10).Select(i => new Sample(1_700_000_000_000L + (i * 60_000L), i * 10))]);
        var response = await server.Http.PostAsync("/prometheus/api/v1/write", RemoteWriteBody(RemoteWriteEncoder.Encode(new WriteRequest([series], []))));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Promtool_query_instant_and_range_with_the_token_as_basic_auth_password_print_the_samples()
    {
        await WriteSamplesAsync();

        var instant = await ExternalTool.RunAsync(Promtool, server.DataDirectory, "query", "instant", "--time", "1700000540", UrlWithPassword(token), "backfilled_total");
        var range = await ExternalTool.RunAsync(Promtool, server.DataDirectory, "query", "range", "--start", "1700000000", "--end", "1700000120", "--step", "1m", UrlWithPassword(token), "backfilled_total");

        Assert.True(instant.Exit == 0, instant.ToString());
        Assert.Equal("backfilled_total{job=\"import\"} => 90 @[1700000540]", instant.Output.Trim());
        Assert.True(range.Exit == 0, range.ToString());
        Assert.Equal("backfilled_total{job=\"import\"} =>\n0 @[1700000000]\n10 @[1700000060]\n20 @[1700000120]", range.Output.Trim());
    }

    [Fact]
    public async Task Promtool_with_a_wrong_password_is_refused_and_prints_no_samples()
    {
        await WriteSamplesAsync();

        var wrong = await ExternalTool.RunAsync(Promtool, server.DataDirectory, "query", "instant", "--time", "1700000540", UrlWithPassword(token + "x"), "backfilled_total");

        Assert.NotEqual(0, wrong.Exit);
        Assert.DoesNotContain("=>", wrong.Output);
        Assert.Contains("401", wrong.Error);
    }

    [Fact]
    public async Task Basic_auth_with_any_username_and_the_token_as_password_is_the_tokens_caller()
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("someone:" + token)));

        var allowed = await client.GetAsync("/prometheus/api/v1/query?query=1");
        var denied = await client.PostAsync("/prometheus/api/v1/write", RemoteWriteBody([]));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("no-colon")));
        var malformed = await client.GetAsync("/prometheus/api/v1/query?query=1");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        // A viewer's token reads but does not write, through basic auth as through a bearer header.
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Query_exemplars_answers_an_empty_list_as_Prometheus_does_without_exemplars()
    {
        await WriteSamplesAsync();

        var answer = await server.Http.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/query_exemplars?query=backfilled_total&start=1700000000&end=1700000600");
        var badRange = await server.Http.GetAsync("/prometheus/api/v1/query_exemplars?query=backfilled_total&start=1700000600&end=1700000000");
        var badQuery = await server.Http.GetAsync("/prometheus/api/v1/query_exemplars?query=rate(");

        Assert.Equal("""{"status":"success","data":[]}""", answer.GetRawText());
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
        var error = await badRange.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("bad_data", "end timestamp must not be before start timestamp"), (error.GetProperty("errorType").GetString(), error.GetProperty("error").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
    }

    [Fact]
    public async Task Metadata_sent_by_remote_write_is_served_by_the_metadata_endpoint()
    {
        // Prometheus 2.42's first metadata-only request (191 families), captured byte for byte.
        var body = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Shared, "fixtures", "remote-write", "metadata.body.bin"));

        var response = await server.Http.PostAsync("/prometheus/api/v1/write", RemoteWriteBody(body));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var all = (await server.Http.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/metadata")).GetProperty("data");
        Assert.Equal(191, all.EnumerateObject().Count());
        var one = await server.Http.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/metadata?metric=prometheus_engine_queries");
        Assert.Equal(
            """{"status":"success","data":{"prometheus_engine_queries":[{"type":"gauge","help":"The current number of queries being executed or waiting.","unit":""}]}}""",
            one.GetRawText());
    }
}
