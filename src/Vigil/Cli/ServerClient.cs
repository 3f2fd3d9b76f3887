using System.CommandLine;
using System.Net.Http.Headers;

namespace Vigil.Cli;

/// <summary>
/// What every client verb (<c>vigil incident list</c>, <c>vigil deploy record</c>, ...) shares:
/// the server URL from <c>--server</c> or <c>VIGIL_SERVER</c> and the API token from
/// <c>--token</c> or <c>VIGIL_TOKEN</c>, and an <see cref="HttpClient"/> that sends it.
/// </summary>
public sealed class ServerClient
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    public Option<string?> Server { get; } = new("--server") { Description = $"The Vigil server's URL (env VIGIL_SERVER; default {DefaultServer})." };
    public Option<string?> Token { get; } = new("--token") { Description = "An API token from the console's API tokens page or POST /api/tokens (env VIGIL_TOKEN)." };

    /// <summary>Adds --server and --token to a verb (and, when <paramref name="recursive"/>, to its subcommands).</summary>
    public void AddTo(Command command, bool recursive = false)
    {
        Server.Recursive = recursive;
        Token.Recursive = recursive;
        command.Options.Add(Server);
        command.Options.Add(Token);
    }

    /// <summary>A client for the server, or the reason there is none (exit code 2: usage).</summary>
    public (HttpClient? Client, string? Error) Connect(ParseResult parse)
    {
        var server = CliRunner.Resolve(parse.GetValue(Server), "VIGIL_SERVER", DefaultServer)!;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return (null, $"--server/VIGIL_SERVER must be an http(s) URL, not \"{server}\"");
        }
        var token = CliRunner.Resolve(parse.GetValue(Token), "VIGIL_TOKEN", null);
        if (string.IsNullOrEmpty(token))
        {
            return (null, "an API token is required: --token or VIGIL_TOKEN");
        }
        var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("vigil-cli", Features.Server.ProcessClock.Version));
        return (client, null);
    }
}
