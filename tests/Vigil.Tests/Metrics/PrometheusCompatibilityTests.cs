using System.CommandLine;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Cli;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>
/// Grafana-shaped requests to /prometheus/api/v1 return what Prometheus 2.42 returned for the
/// same data (recorded in Prometheus242/answers by record.sh): same status code, same JSON.
/// </summary>
public sealed class PrometheusCompatibilityTests : IAsyncLifetime
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "tests", "Vigil.Tests", "Metrics", "Prometheus242");
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync();
        // The same file Prometheus was loaded from, imported as an operator would import it.
        var file = Path.Combine(server.DataDirectory, "grafana-data.om");
        await using (var input = new GZipStream(File.OpenRead(Path.Combine(Folder, "grafana-data.om.gz")), CompressionMode.Decompress))
        await using (var output = File.Create(file))
        {
            await input.CopyToAsync(output);
        }
        var token = await TestServer.CreateTokenAsync(server.Http, "importer", Vigil.Features.Access.Role.Operator);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { MetricsCommand.Create() }, ["metrics", "import", file, "--server", server.BaseAddress.ToString(), "--token", token.Token], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("imported 3360 samples of 28 series", stdout.ToString());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    public static TheoryData<string> Requests()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadLines(Path.Combine(Folder, "requests.tsv")).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            data.Add(line.Split('\t')[0]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Vigil_answers_like_prometheus_2_42(string name)
    {
        var fields = File.ReadLines(Path.Combine(Folder, "requests.tsv")).First(l => l.StartsWith(name + "\t", StringComparison.Ordinal)).Split('\t');
        var (method, path) = (fields[1], fields[2]);
        var parameters = fields.Skip(3).Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
        var expectedFile = Directory.GetFiles(Path.Combine(Folder, "answers"), $"{name}.*.json").Single();
        var expectedStatus = int.Parse(Path.GetFileNameWithoutExtension(expectedFile).Split('.')[^1], System.Globalization.CultureInfo.InvariantCulture);

        using var content = new FormUrlEncodedContent(parameters);
        var query = await content.ReadAsStringAsync();
        var response = method == "GET"
            ? await server.Http.GetAsync($"/prometheus{path}?{query}")
            : await server.Http.PostAsync($"/prometheus{path}", new FormUrlEncodedContent(parameters));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expectedStatus == (int)response.StatusCode, $"expected HTTP {expectedStatus}, got {(int)response.StatusCode}: {body}");
        var expected = Normalize(JsonNode.Parse(await File.ReadAllTextAsync(expectedFile))!);
        var actual = Normalize(JsonNode.Parse(body)!);
        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
    }

    /// <summary>
    /// Prometheus does not promise an order for the series of a vector result: compare those as
    /// sets (sorted by their labels). Everything else is compared as sent.
    /// </summary>
    private static JsonNode Normalize(JsonNode answer)
    {
        if (answer["data"] is JsonObject { } data && data["resultType"]?.GetValue<string>() == "vector" && data["result"] is JsonArray result)
        {
            var sorted = result.Select(r => r!.DeepClone()).OrderBy(r => r["metric"]!.ToJsonString(), StringComparer.Ordinal).ToList();
            result.Clear();
            foreach (var r in sorted)
            {
                result.Add(r);
            }
        }
        return answer;
    }
}
