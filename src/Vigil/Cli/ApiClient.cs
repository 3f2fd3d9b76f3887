using System.CommandLine;
using System.Net.Http.Headers;

namespace Vigil.Cli;

/// <summary>
/// What the CLI's client verbs share: the server to talk to (<c>--server</c> or <c>VIGIL_SERVER</c>,
/// default <c>http://127.0.0.1:8080</c>) and the API token (<c>--token</c> or <c>VIGIL_TOKEN</c>),
/// sent as <c>Authorization: Bearer</c>.
/// </summary>
public static class ApiClient
{
    public static Option<string?> ServerOption() => new("--server") { Description = "Vigil server URL (env VIGIL_SERVER; default http://127.0.0.1:8080)." };

    public static Option<string?> TokenOption() => new("--token") { Description = "API token (env VIGIL_TOKEN)." };

    public static HttpClient Create(ParseResult parse, Option<string?> server, Option<string?> token)
    {
        var baseAddress = CliRunner.Resolve(parse.GetValue(server), "VIGIL_SERVER", "http://127.0.0.1:8080")!;
        var http = new HttpClient { BaseAddress = new Uri(baseAddress.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) };
        if (CliRunner.Resolve(parse.GetValue(token), "VIGIL_TOKEN", null) is { } bearer)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"vigil-cli/{Features.Server.ProcessClock.Version}");
        return http;
    }
}
