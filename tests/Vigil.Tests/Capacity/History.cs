using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting.Evaluation;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Capacity;

/// <summary>Synthetic history sent to a test server as a Prometheus agent would (remote write, snappy protobuf), and the alerts it makes fire.</summary>
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

    /// <summary>The firing alerts of the rule groups generated as <paramref name="generatedBy"/> (e.g. <c>capacity:api</c>).</summary>
    public static List<AlertSnapshot> FiringAlerts(TestServer server, string generatedBy) =>
        [.. server.Services.GetRequiredService<EvaluateRules>().Groups
            .Where(g => g.Group.GeneratedBy == generatedBy)
            .SelectMany(g => g.Rules).SelectMany(r => r.Alerts)
            .Where(a => a.Phase == AlertPhase.Firing)];
}
