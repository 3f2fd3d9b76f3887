using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Vigil.Features.Runbooks;

/// <summary>
/// Markdown to HTML for the console, safely: raw HTML in a runbook is shown as text, never run
/// (Markdig's <c>DisableHtml</c>), and a link or image whose URL is not http(s), mailto or relative
/// (<c>javascript:</c>, <c>data:</c>) loses its URL. No extension that writes attributes from the text
/// (generic attributes) is enabled.
/// </summary>
public static class RenderRunbook
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePipeTables()
        .UseTaskLists()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "";
            }
        }
        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "";
            }
        }
        return document.ToHtml(Pipeline);
    }

    private static bool IsSafe(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return true;
        }
        // Browsers ignore control characters and spaces inside a scheme ("java\tscript:"), so judge without them.
        var compact = new string(url.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
        var colon = compact.IndexOf(':', StringComparison.Ordinal);
        var slash = compact.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (slash >= 0 && slash < colon))
        {
            return true;
        }
        var scheme = compact[..colon].ToLowerInvariant();
        return scheme is "http" or "https" or "mailto";
    }
}
