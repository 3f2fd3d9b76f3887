using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>
/// A range query's answer with many series: formatted in blocks across cores, it must be the same
/// answer, series for series and byte for byte, as the few-series answer written one series at a time.
/// </summary>
public sealed class LargeMatrixTests : IAsyncLifetime
{
    private const int SeriesCount = 301;
    private const int Points = 41;
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync();
        // Label values that JSON must escape, and values whose shortest digits are long.
        var series = Enumerable.Range(0, SeriesCount).Select(i => new TimeSeries(
            Labels.Of("__name__", "latency_seconds", "pod", $"api-{i:D3}", "route", i % 7 == 0 ? $"/a\"b\\c/{i}" : $"/ü/{i}"),
            [.. Enumerable.Range(0, Points).Select(p => new Sample(p * 15_000L, Value(i, p)))])).ToList();
        var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(series, [])));
        content.Headers.ContentType = new(RemoteWriteEncoder.ContentType);
        content.Headers.ContentEncoding.Add("snappy");
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.PostAsync("/prometheus/api/v1/write", content)).StatusCode);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static double Value(int series, int point) => (series * 1000 + point) / 7.0;

    private Task<JsonElement> RangeAsync(string query) =>
        server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query_range?query={Uri.EscapeDataString(query)}&start=0&end=600&step=15");

    [Fact]
    public async Task Every_series_and_point_of_a_301_series_matrix_arrives_in_label_order()
    {
        var result = (await RangeAsync("latency_seconds")).GetProperty("data").GetProperty("result");

        Assert.Equal(SeriesCount, result.GetArrayLength());
        var pods = result.EnumerateArray().Select(s => s.GetProperty("metric").GetProperty("pod").GetString()!).ToList();
        Assert.Equal(Enumerable.Range(0, SeriesCount).Select(i => $"api-{i:D3}"), pods);
        foreach (var (s, i) in result.EnumerateArray().Select((s, i) => (s, i)))
        {
            Assert.Equal(i % 7 == 0 ? $"/a\"b\\c/{i}" : $"/ü/{i}", s.GetProperty("metric").GetProperty("route").GetString());
            var values = s.GetProperty("values").EnumerateArray().ToList();
            Assert.Equal(Points, values.Count);
            for (var p = 0; p < Points; p++)
            {
                Assert.Equal(p * 15, values[p][0].GetDouble());
                Assert.Equal(Value(i, p), double.Parse(values[p][1].GetString()!, CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public async Task Each_series_is_written_exactly_as_in_an_answer_of_a_few_series()
    {
        var large = (await RangeAsync("latency_seconds")).GetProperty("data").GetProperty("result");

        foreach (var pick in new[] { 0, 31, 32, 33, 150, 299, 300 })
        {
            var small = (await RangeAsync($"latency_seconds{{pod=\"api-{pick:D3}\"}}")).GetProperty("data").GetProperty("result");
            Assert.Equal(Assert.Single(small.EnumerateArray()).GetRawText(), large[pick].GetRawText());
        }
    }
}
