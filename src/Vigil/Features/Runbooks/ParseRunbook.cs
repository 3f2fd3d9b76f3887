using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Vigil.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Features.Runbooks;

/// <summary>
/// Reads one runbook file written in the operations guide's template (seed 002): YAML front matter
/// for the metadata, <c>**Purpose**</c> and <c>**When to use**</c>, then the sections Prerequisites,
/// Procedure (steps, each with an <c>**Expected result**</c>), Verification, Rollback and optionally
/// Post-execution. Every problem is reported as <c>file:line</c> with the reason; a file with any
/// problem gives no runbook.
/// </summary>
public static partial class ParseRunbook
{
    /// <summary>The sections in the template's order; <see cref="Section.Required"/> ones must be present.</summary>
    public static IReadOnlyList<Section> Sections { get; } =
    [
        new("Purpose", true, "purpose"),
        new("When to use", true, "whentouse"),
        new("Prerequisites", true, "prerequisites"),
        new("Procedure", true, "procedure", "steps"),
        new("Verification", true, "verification"),
        new("Rollback", true, "rollback"),
        new("Post-execution", false, "postexecution"),
    ];

    public sealed record Section(string Name, bool Required, params string[] Keys);

    private static readonly string[] FrontMatterKeys = ["title", "risk", "frequency", "duration", "owner", "services"];
    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Markdig reads the front matter as a block of its own, so line numbers stay those of the file.</summary>
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    public static (Runbook Runbook, IReadOnlyList<ConfigError> Errors) Parse(string file, string name, string text, RunbookSettings allowed)
    {
        var errors = new List<ConfigError>();
        void Error(int line, string reason) => errors.Add(new ConfigError(file, Math.Max(line, 1), 1, reason));

        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var meta = ReadFrontMatter(lines, Error);
        var document = Markdown.Parse(text.ReplaceLineEndings("\n"), Pipeline);
        var source = string.Join('\n', lines);

        string? h1 = null;
        var found = new Dictionary<Section, int>();
        var fields = new Dictionary<string, (string Value, int Line)>(StringComparer.OrdinalIgnoreCase);
        Section? current = null;
        var steps = new List<RunbookStep>();
        var procedure = new List<Block>();
        foreach (var block in document)
        {
            if (block is YamlFrontMatterBlock)
            {
                continue;
            }
            if (block is HeadingBlock { Level: 1 } title && h1 is null)
            {
                h1 = HeadingText(source, title);
                continue;
            }
            if (block is HeadingBlock { Level: 2 } heading)
            {
                var key = Key(HeadingText(source, heading));
                current = Sections.FirstOrDefault(s => s.Keys.Contains(key));
                if (current is not null && !found.TryAdd(current, heading.Line + 1))
                {
                    Error(heading.Line + 1, $"section \"{current.Name}\" appears twice");
                }
                continue;
            }
            if (current is null)
            {
                // The template's header: **Purpose**: ..., **When to use**: ..., **Risk Level**: ...
                foreach (var (label, value, line) in Labels(source, block))
                {
                    fields.TryAdd(Key(label), (value, line));
                    if (Sections.FirstOrDefault(s => s.Keys.Contains(Key(label))) is { } section)
                    {
                        found.TryAdd(section, line);
                    }
                }
            }
            else if (current.Keys[0] == "procedure")
            {
                procedure.Add(block);
            }
        }

        var procedureLine = found.GetValueOrDefault(Sections[3]);
        steps.AddRange(ReadSteps(source, procedure, allowed, Error));
        if (procedureLine > 0 && steps.Count == 0)
        {
            Error(procedureLine, "the procedure has no steps: write each as \"### Step N: action\" or as an item of a numbered list");
        }
        for (var i = 0; i < Sections.Count; i++)
        {
            if (Sections[i].Required && !found.ContainsKey(Sections[i]))
            {
                // Point at where it belongs: the next section of the template that is there.
                var next = Sections.Skip(i + 1).FirstOrDefault(found.ContainsKey);
                Error(next is null ? lines.Length : found[next], next is null
                    ? $"missing section \"{Sections[i].Name}\""
                    : $"missing section \"{Sections[i].Name}\" (it comes before \"{next.Name}\")");
            }
        }

        var riskText = meta.Risk ?? (fields.TryGetValue("risklevel", out var r) || fields.TryGetValue("risk", out r) ? r : null);
        RunbookRisk risk = default;
        if (riskText is null)
        {
            Error(1, "no risk level: set \"risk: Low\", \"Medium\" or \"High\" in the front matter");
        }
        else if (!Enum.TryParse(riskText.Value.Value.Trim(), ignoreCase: true, out risk) || !Enum.IsDefined(risk) || int.TryParse(riskText.Value.Value, out _))
        {
            Error(riskText.Value.Line, $"risk must be Low, Medium or High, not \"{riskText.Value.Value.Trim()}\"");
        }

        errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        string? Field(string key) => fields.TryGetValue(key, out var f) ? f.Value : null;
        var runbook = new Runbook(
            name,
            meta.Title ?? (h1 is null ? name : RunbookPrefix().Replace(h1, "")),
            risk,
            meta.Frequency ?? Field("frequency"),
            meta.Duration ?? Field("duration"),
            meta.Owner,
            meta.Services,
            Field("purpose"),
            Field("whentouse"),
            steps,
            text,
            file);
        return (runbook, errors);
    }

    private sealed record FrontMatter(string? Title, (string Value, int Line)? Risk, string? Frequency, string? Duration, string? Owner, IReadOnlyList<string> Services);

    private static FrontMatter ReadFrontMatter(string[] lines, Action<int, string> error)
    {
        var empty = new FrontMatter(null, null, null, null, null, []);
        if (lines.Length == 0 || lines[0].TrimEnd() != "---")
        {
            return empty;
        }
        var end = Array.FindIndex(lines, 1, l => l.TrimEnd() is "---" or "...");
        if (end < 0)
        {
            error(1, "the front matter opened with \"---\" is never closed");
            return empty;
        }
        YamlStream stream;
        try
        {
            stream = YamlText.Load(string.Join('\n', lines[1..end]));
        }
        catch (YamlException e)
        {
            error((int)e.Start.Line + 1, $"invalid YAML in the front matter: {YamlText.Reason(e)}");
            return empty;
        }
        if (stream.Documents.Count == 0)
        {
            return empty;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
        {
            error(2, "the front matter must be a mapping (title: ..., risk: ...)");
            return empty;
        }
        string? title = null, frequency = null, duration = null, owner = null;
        (string, int)? risk = null;
        var services = new List<string>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var line = (int)keyNode.Start.Line + 1;
            if (key == "services")
            {
                services.AddRange(value switch
                {
                    YamlScalarNode { Value: { Length: > 0 } one } => [one],
                    YamlSequenceNode list => list.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").Where(s => s.Length > 0),
                    _ => [],
                });
                continue;
            }
            if (!FrontMatterKeys.Contains(key))
            {
                error(line, $"unknown front matter key \"{key}\" (known: {string.Join(", ", FrontMatterKeys)})");
                continue;
            }
            if (value is not YamlScalarNode { Value: { } scalar })
            {
                error(line, $"\"{key}\" must be a single value");
                continue;
            }
            switch (key)
            {
                case "title": title = scalar; break;
                case "risk": risk = (scalar, line); break;
                case "frequency": frequency = scalar; break;
                case "duration": duration = scalar; break;
                case "owner": owner = scalar; break;
            }
        }
        return new FrontMatter(title, risk, frequency, duration, owner, services);
    }

    /// <summary>Steps are the <c>###</c> headings of the procedure, or else the items of its first numbered list.</summary>
    private static List<RunbookStep> ReadSteps(string source, List<Block> procedure, RunbookSettings allowed, Action<int, string> error)
    {
        var parts = new List<(string Title, int Line, List<Block> Body)>();
        if (procedure.Any(b => b is HeadingBlock { Level: >= 3 }))
        {
            foreach (var block in procedure)
            {
                if (block is HeadingBlock { Level: 3 } heading)
                {
                    parts.Add((StepPrefix().Replace(HeadingText(source, heading), ""), heading.Line + 1, []));
                }
                else if (parts.Count > 0)
                {
                    parts[^1].Body.Add(block);
                }
            }
        }
        else if (procedure.OfType<ListBlock>().FirstOrDefault(l => l.IsOrdered) is { } list)
        {
            foreach (var item in list.OfType<ListItemBlock>())
            {
                var first = item.FirstOrDefault() is { } head ? SourceOf(source, head).Split('\n')[0].Trim() : "";
                parts.Add((first, item.Line + 1, [item]));
            }
        }
        var steps = new List<RunbookStep>();
        foreach (var (title, line, body) in parts)
        {
            var labels = body.SelectMany(b => Labels(source, b)).ToList();
            var expected = labels.FirstOrDefault(l => Key(l.Label) is "expectedresult" or "expected" or "verify" or "verification");
            if (expected.Label is null)
            {
                error(line, $"step \"{title}\" has no verification: add \"**Expected result**: what should happen\"");
            }
            RunbookAction? action = null;
            foreach (var (label, value, at) in labels)
            {
                switch (Key(label))
                {
                    case "command":
                        var command = value.Trim('`', ' ');
                        if (!allowed.Commands.Any(c => c.Name == command))
                        {
                            error(at, $"unknown command \"{command}\": a step may only run a command listed in runbooks.commands ({(allowed.Commands.Count == 0 ? "none is" : string.Join(", ", allowed.Commands.Select(c => c.Name)))})");
                        }
                        action = new RunbookAction(RunbookActionKind.Command, command);
                        break;
                    case "http":
                        var words = value.Trim('`', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (words.Length != 2 || !HttpMethods.Contains(words[0]) || !Uri.TryCreate(words[1], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                        {
                            error(at, $"an HTTP step is \"METHOD URL\" with a method of {string.Join(", ", HttpMethods)} and an absolute http(s) URL, not \"{value}\"");
                            break;
                        }
                        if (!IsAllowed(url, allowed.Http))
                        {
                            error(at, $"\"{url}\" is not under any URL in runbooks.http: a step may only call an allowed URL");
                        }
                        action = new RunbookAction(RunbookActionKind.Http, url.ToString(), words[0]);
                        break;
                }
            }
            steps.Add(new RunbookStep(steps.Count + 1, title, line, expected.Label is null ? null : expected.Value, action));
        }
        return steps;
    }

    public static bool IsAllowed(Uri url, IEnumerable<string> prefixes) => prefixes.Any(prefix =>
        Uri.TryCreate(prefix, UriKind.Absolute, out var allowed)
        && allowed.Scheme == url.Scheme && string.Equals(allowed.Host, url.Host, StringComparison.OrdinalIgnoreCase) && allowed.Port == url.Port
        && url.AbsolutePath.StartsWith(allowed.AbsolutePath, StringComparison.Ordinal));

    /// <summary>The <c>**Label**: value</c> lines of a block's paragraphs (never of its code blocks).</summary>
    private static IEnumerable<(string Label, string Value, int Line)> Labels(string source, Block block)
    {
        var paragraphs = block is ContainerBlock container ? container.Descendants<ParagraphBlock>() : block is ParagraphBlock p ? [p] : [];
        foreach (var paragraph in paragraphs)
        {
            var text = SourceOf(source, paragraph).Split('\n');
            for (var i = 0; i < text.Length; i++)
            {
                var m = LabelLine().Match(text[i]);
                if (m.Success)
                {
                    yield return (m.Groups["label"].Value.Trim(), m.Groups["value"].Value.Trim(), paragraph.Line + 1 + i);
                }
            }
        }
    }

    private static string SourceOf(string source, Block block) =>
        block.Span.Start >= 0 && block.Span.End < source.Length ? source.Substring(block.Span.Start, block.Span.Length) : "";

    private static string HeadingText(string source, HeadingBlock heading) => SourceOf(source, heading).Trim().TrimStart('#').TrimEnd('#').Trim();

    /// <summary>"When to use" → "whentouse", "Post-execution" → "postexecution".</summary>
    private static string Key(string label) => new(label.Where(char.IsLetter).Select(char.ToLowerInvariant).ToArray());

    [GeneratedRegex(@"^\s*\*\*(?<label>[^*:]+):?\*\*\s*:?\s*(?<value>.*)$")]
    private static partial Regex LabelLine();

    [GeneratedRegex(@"^Runbook:\s*", RegexOptions.IgnoreCase)]
    private static partial Regex RunbookPrefix();

    [GeneratedRegex(@"^Step\s+\d+\s*[:.\-]\s*", RegexOptions.IgnoreCase)]
    private static partial Regex StepPrefix();
}
