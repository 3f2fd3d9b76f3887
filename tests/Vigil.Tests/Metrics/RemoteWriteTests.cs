using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>The remote-write receiver at /prometheus/api/v1/write, fed as Prometheus feeds it.</summary>
public sealed class RemoteWriteTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static ByteArrayContent Body(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return content;
    }

    private async Task<JsonElement> QueryAsync(string query, double timeSeconds)
    {
        var answer = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time={timeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return answer.GetProperty("data").GetProperty("result");
    }

    [Fact]
    public async Task A_request_sent_by_prometheus_2_42_is_stored_and_queryable()
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Shared, "fixtures", "remote-write", "samples.body.bin"));
        var request = RemoteWriteDecoder.Decode(body);
        var someSeries = request.Timeseries.First(t => t.Samples.Count > 0);

        var response = await server.Http.PostAsync("/prometheus/api/v1/write", Body(body));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var sample = someSeries.Samples[^1];
        var result = await QueryAsync(someSeries.Labels.ToString(), sample.TimestampMs / 1000.0);
        Assert.Equal(PrometheusApiValue(sample.Value), result[0].GetProperty("value")[1].GetString());
    }

    [Fact]
    public async Task Samples_written_by_the_encoder_come_back_from_a_range_query()
    {
        var labels = Labels.Of("__name__", "backfilled_total", "job", "import");
        var series = new TimeSeries(labels, [.. Enumerable.Range(0, 10).Select(i => new Sample(i * 60_000L, i * 10))]);
        var body = RemoteWriteEncoder.Encode(new WriteRequest([series], []));

        var response = await server.Http.PostAsync("/prometheus/api/v1/write", Body(body));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var range = await server.Http.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/query_range?query=backfilled_total&start=0&end=540&step=60");
        var values = range.GetProperty("data").GetProperty("result")[0].GetProperty("values").EnumerateArray().Select(v => v[1].GetString()).ToList();
        Assert.Equal(["0", "10", "20", "30", "40", "50", "60", "70", "80", "90"], values);
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00 })]
    [InlineData(new byte[] { 0x05, 0x10, 0x0a, 0x03 })]
    public async Task A_corrupt_body_gets_400_with_the_reason_and_stores_nothing(byte[] body)
    {
        var response = await server.Http.PostAsync("/prometheus/api/v1/write", Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
        var names = await server.Http.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/label/__name__/values");
        Assert.Equal(0, names.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task A_truncated_request_from_prometheus_gets_400_and_stores_nothing()
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Shared, "fixtures", "remote-write", "samples.body.bin"));

        var response = await server.Http.PostAsync("/prometheus/api/v1/write", Body(body[..(body.Length / 2)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var names = await server.Http.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/label/__name__/values");
        Assert.Equal(0, names.GetProperty("data").GetArrayLength());
    }

    private static string PrometheusApiValue(double value) => Vigil.Features.Metrics.PrometheusApi.PrometheusJson.FormatValue(value);
}
