using System.Text.RegularExpressions;
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
public static partial class RenderRunbook
{
    /// <summary>The box Markdig's task lists write before "- [ ] item" (disabled, with no label of its own).</summary>
    [GeneratedRegex("<input disabled=\"disabled\" type=\"checkbox\"( checked=\"checked\")? />")]
    private static partial Regex TaskBox();

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
        // A form control needs a name (WCAG 4.1.2; axe "label", critical): the box says what it shows.
        return TaskBox().Replace(document.ToHtml(Pipeline), m => m.Groups[1].Success
            ? "<input disabled=\"disabled\" type=\"checkbox\" checked=\"checked\" aria-label=\"done\" />"
            : "<input disabled=\"disabled\" type=\"checkbox\" aria-label=\"not done\" />");
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
