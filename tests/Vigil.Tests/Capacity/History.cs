using System.Net;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Capacity;

/// <summary>Synthetic history sent to a test server as a Prometheus agent would: remote write, snappy protobuf.</summary>
internal static class History
{
    public static async Task PushAsync(TestServer server, params TimeSeries[] series)
    {
        var body = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(series, [])));
        body.Headers.ContentType = new("application/x-protobuf");
        body.Headers.ContentEncoding.Add("snappy");
        var response = await server.Http.PostAsync("/prometheus/api/v1/write", body);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
