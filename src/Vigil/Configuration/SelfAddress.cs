using System.Collections;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Vigil.Configuration;

/// <summary>
/// Vigil's own address, for checks of itself and links: <c>${VIGIL_URL}</c> (e.g.
/// <c>http://127.0.0.1:8080</c>), <c>${VIGIL_ADDRESS}</c> (<c>127.0.0.1:8080</c>) and <c>${VIGIL_PORT}</c> (<c>8080</c>) in any value of
/// <c>vigil.yaml</c> become the first address Vigil listens on, so <c>--urls</c> with another port
/// moves every self-check with it. A wildcard listen address (0.0.0.0, [::], *, +) is reached
/// through loopback.
/// </summary>
public static class SelfAddress
{
    public const string UrlPlaceholder = "${VIGIL_URL}";
    public const string AddressPlaceholder = "${VIGIL_ADDRESS}";
    public const string PortPlaceholder = "${VIGIL_PORT}";

    /// <summary>
    /// The listen addresses in force when nobody says: <c>VIGIL_URLS</c>, else the file's
    /// <c>server.listen</c>, else the default. <c>vigil serve</c> passes its resolved <c>--urls</c> instead.
    /// </summary>
    public static string Resolve(YamlNode root, IDictionary environment) =>
        environment["VIGIL_URLS"] is string { Length: > 0 } urls ? urls
        : environment["VIGIL_SERVER__LISTEN"] is string { Length: > 0 } listen ? listen
        : root is YamlMappingNode mapping
          && mapping.Children.TryGetValue(new YamlScalarNode("server"), out var server) && server is YamlMappingNode serverMapping
          && serverMapping.Children.TryGetValue(new YamlScalarNode("listen"), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text }
            ? text
            : Hosting.ServeOptions.DefaultUrls;

    /// <summary>The first of the <c>;</c>-separated listen addresses, as a URL a local client can use (no trailing slash).</summary>
    public static string Url(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? Hosting.ServeOptions.DefaultUrls;
        // Kestrel's wildcards are not valid URI hosts; they listen on every interface, loopback included.
        var parsable = first.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri))
        {
            return first.TrimEnd('/');
        }
        var host = uri.Host switch
        {
            "0.0.0.0" => "127.0.0.1",
            "[::]" => "[::1]",
            _ => uri.Host,
        };
        return $"{uri.Scheme}://{host}:{uri.Port}{uri.AbsolutePath.TrimEnd('/')}";
    }

    /// <summary><c>host:port</c> of <see cref="Url"/>, as a scrape target or a TCP check writes it.</summary>
    public static string Address(string urls)
    {
        var url = new Uri(Url(urls));
        return $"{url.Host}:{url.Port}";
    }

    /// <summary>Replaces the placeholders in every scalar of the document, keeping each node's position for error messages.</summary>
    public static void Substitute(YamlNode node, string urls)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } value } scalar when value.Contains("${VIGIL_", StringComparison.Ordinal):
                scalar.Value = value.Replace(UrlPlaceholder, Url(urls), StringComparison.Ordinal).Replace(AddressPlaceholder, Address(urls), StringComparison.Ordinal)
                    .Replace(PortPlaceholder, new Uri(Url(urls)).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    Substitute(child, urls);
                }
                break;
            case YamlMappingNode mapping:
                foreach (var (_, child) in mapping.Children)
                {
                    Substitute(child, urls);
                }
                break;
        }
    }
}
