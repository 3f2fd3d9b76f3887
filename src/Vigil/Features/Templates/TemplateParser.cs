using System.Globalization;
using System.Text;
using Vigil.Metrics;

namespace Vigil.Features.Templates;

internal abstract record TemplateNode
{
    public abstract void Render(StringBuilder output, TemplateScope scope, TemplateData data);
}

internal sealed record TextNode(string Text) : TemplateNode
{
    public override void Render(StringBuilder output, TemplateScope scope, TemplateData data) => output.Append(Text);
}

internal sealed record ActionNode(Pipeline Pipeline) : TemplateNode
{
    public override void Render(StringBuilder output, TemplateScope scope, TemplateData data)
    {
        if (Pipeline.Declares is null)
        {
            // Go prints a nil interface value (a missing key of args' map) as "<no value>".
            output.Append(Pipeline.Evaluate(scope, data) is { } value ? TemplateValues.Print(value) : "<no value>");
        }
        else
        {
            scope.Variables[Pipeline.Declares] = Pipeline.Evaluate(scope, data);
        }
    }
}

/// <summary><c>with</c>, <c>if</c> and <c>range</c>, each with an optional <c>else</c>.</summary>
internal sealed record BlockNode(string Kind, Pipeline Pipeline, IReadOnlyList<TemplateNode> Then, IReadOnlyList<TemplateNode> Else) : TemplateNode
{
    public override void Render(StringBuilder output, TemplateScope scope, TemplateData data)
    {
        var value = Pipeline.Evaluate(scope, data);
        var saved = scope.Dot;
        var savedVariables = new Dictionary<string, object?>(scope.Variables);
        if (Kind == "range")
        {
            // Go ranges over a map's values in key order, over a list's items; "$k, $v :=" gets the key or index too.
            var items = value switch
            {
                Labels labels => labels.Select(l => ((object?)l.Name, (object?)l.Value)).ToList(),
                System.Collections.IEnumerable e and not string => e.Cast<object?>().Select((item, i) => ((object?)(long)i, item)).ToList(),
                _ => [],
            };
            foreach (var (key, item) in items)
            {
                scope.Dot = item;
                if (Pipeline.DeclaresKey is { } keyName)
                {
                    scope.Variables[keyName] = key;
                }
                if (Pipeline.Declares is { } itemName)
                {
                    scope.Variables[itemName] = item;
                }
                RenderAll(Then, output, scope, data);
            }
            scope.Dot = saved;
            Restore(scope, savedVariables);
            if (items.Count == 0)
            {
                RenderAll(Else, output, scope, data);
            }
            return;
        }
        if (Pipeline.Declares is { } name)
        {
            scope.Variables[name] = value;
        }
        if (TemplateValues.Truthy(value))
        {
            if (Kind == "with")
            {
                scope.Dot = value;
            }
            RenderAll(Then, output, scope, data);
            scope.Dot = saved;
        }
        else
        {
            RenderAll(Else, output, scope, data);
        }
        Restore(scope, savedVariables);
    }

    /// <summary>A variable declared in a block lives until its end, as in Go.</summary>
    private static void Restore(TemplateScope scope, Dictionary<string, object?> saved)
    {
        foreach (var name in scope.Variables.Keys.Where(k => !saved.ContainsKey(k)).ToList())
        {
            scope.Variables.Remove(name);
        }
        foreach (var (name, value) in saved)
        {
            scope.Variables[name] = value;
        }
    }

    private static void RenderAll(IReadOnlyList<TemplateNode> nodes, StringBuilder output, TemplateScope scope, TemplateData data)
    {
        foreach (var node in nodes)
        {
            node.Render(output, scope, data);
        }
    }
}

/// <summary>Splits a template into text and actions, and actions into pipelines, as Go's text/template parses them.</summary>
internal static class TemplateParser
{
    public static IReadOnlyList<TemplateNode> Parse(string text)
    {
        var actions = Split(text);
        var position = 0;
        var nodes = ParseList(actions, ref position, out var terminator);
        if (terminator is not null)
        {
            throw new TemplateException($"unexpected {{{{{terminator}}}}}");
        }
        return nodes;
    }

    /// <param name="Offset">Where an action's text starts in the template (Go names that place in its errors).</param>
    private sealed record Piece(bool IsAction, string Text, int Offset = 0);

    private static List<Piece> Split(string text)
    {
        var pieces = new List<Piece>();
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                pieces.Add(new Piece(false, text[i..]));
                break;
            }
            var literal = text[i..open];
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new TemplateException("unclosed action");
            }
            var inner = text[(open + 2)..close];
            var innerStart = open + 2;
            // "{{- " trims white space before the action, " -}}" after it.
            if (inner.StartsWith("- ", StringComparison.Ordinal) || inner == "-")
            {
                literal = literal.TrimEnd();
                inner = inner[1..];
                innerStart++;
            }
            var trimAfter = inner.EndsWith(" -", StringComparison.Ordinal);
            if (trimAfter)
            {
                inner = inner[..^1];
            }
            pieces.Add(new Piece(false, literal));
            pieces.Add(new Piece(true, inner.Trim(), innerStart + inner.Length - inner.TrimStart().Length));
            i = close + 2;
            if (trimAfter)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
            }
        }
        return pieces;
    }

    private static List<TemplateNode> ParseList(List<Piece> pieces, ref int position, out string? terminator)
    {
        var nodes = new List<TemplateNode>();
        while (position < pieces.Count)
        {
            var piece = pieces[position++];
            if (!piece.IsAction)
            {
                if (piece.Text.Length > 0)
                {
                    nodes.Add(new TextNode(piece.Text));
                }
                continue;
            }
            var action = piece.Text;
            if (action.StartsWith("/*", StringComparison.Ordinal))
            {
                continue;
            }
            if (action is "end" or "else")
            {
                terminator = action;
                return nodes;
            }
            var keyword = action.Split(' ', 2)[0];
            if (keyword is "with" or "if" or "range")
            {
                var pipeline = Pipeline.Parse(action[keyword.Length..], keyword, piece.Offset + keyword.Length);
                var then = ParseList(pieces, ref position, out var end);
                var otherwise = new List<TemplateNode>();
                if (end == "else")
                {
                    otherwise = ParseList(pieces, ref position, out end);
                }
                if (end != "end")
                {
                    throw new TemplateException($"unexpected EOF: {{{{{keyword}}}}} without {{{{end}}}}");
                }
                nodes.Add(new BlockNode(keyword, pipeline, then, otherwise));
                continue;
            }
            nodes.Add(new ActionNode(Pipeline.Parse(action, "command", piece.Offset)));
        }
        terminator = null;
        return nodes;
    }
}

/// <summary>A pipeline: commands joined by <c>|</c>; each command's result is the last argument of the next.</summary>
internal sealed class Pipeline
{
    private readonly List<List<Operand>> commands;

    private readonly List<int> starts;

    private Pipeline(List<List<Operand>> commands, List<int> starts, string? declares, string? declaresKey)
    {
        this.commands = commands;
        this.starts = starts;
        Declares = declares;
        DeclaresKey = declaresKey;
    }

    /// <summary>The variable a <c>{{ $x := ... }}</c> action declares.</summary>
    public string? Declares { get; }

    /// <summary>The first variable of <c>{{ range $k, $v := ... }}</c>: the key or index.</summary>
    public string? DeclaresKey { get; }

    /// <param name="context">What the pipeline belongs to, named in Go's error for an empty one: <c>command</c>, <c>if</c>, <c>with</c>, <c>range</c>.</param>
    /// <param name="offset">Where <paramref name="text"/> starts in the template.</param>
    public static Pipeline Parse(string text, string context = "command", int offset = 0)
    {
        var positions = new List<int>();
        var tokens = Tokenize(text, positions);
        for (var i = 0; i < positions.Count; i++)
        {
            positions[i] += offset;
        }
        return Parse(tokens, positions, context);
    }

    private static Pipeline Parse(List<string> tokens, List<int> positions, string context)
    {
        string? declares = null, declaresKey = null;
        if (tokens.Count >= 3 && tokens[0].StartsWith('$') && tokens[0].EndsWith(',') && tokens[1].StartsWith('$') && tokens[2] is ":=" or "=")
        {
            declaresKey = tokens[0][..^1];
            declares = tokens[1];
            tokens = tokens[3..];
            positions = positions[3..];
        }
        else if (tokens.Count >= 2 && tokens[0].StartsWith('$') && tokens[1] is ":=" or "=")
        {
            declares = tokens[0];
            tokens = tokens[2..];
            positions = positions[2..];
        }
        var position = 0;
        var commands = new List<List<Operand>> { new() };
        var starts = new List<int> { positions.Count > 0 ? positions[0] : 0 };
        while (position < tokens.Count)
        {
            var token = tokens[position];
            if (token == "|")
            {
                position++;
                commands.Add([]);
                starts.Add(position < positions.Count ? positions[position] : 0);
                continue;
            }
            commands[^1].Add(ParseOperand(tokens, positions, ref position));
        }
        // Go's text/template (parse.go, checkPipeline and command): "missing value for if", "empty command".
        if (commands is [{ Count: 0 }])
        {
            throw new TemplateException($"missing value for {context}");
        }
        if (commands.Any(c => c.Count == 0))
        {
            throw new TemplateException("empty command");
        }
        return new Pipeline(commands, starts, declares, declaresKey);
    }

    /// <summary>Go's text for a pipeline (PipeNode.String): its commands joined by <c> | </c>.</summary>
    public override string ToString() =>
        (Declares is null ? "" : (DeclaresKey is null ? "" : DeclaresKey + ", ") + Declares + " := ") +
        string.Join(" | ", commands.Select(c => string.Join(' ', c.Select(o => o.Source))));

    private static Operand ParseOperand(List<string> tokens, List<int> positions, ref int position)
    {
        var token = tokens[position++];
        if (token == "(")
        {
            var depth = 1;
            var start = position;
            while (position < tokens.Count && depth > 0)
            {
                depth += tokens[position] == "(" ? 1 : tokens[position] == ")" ? -1 : 0;
                position++;
            }
            if (depth != 0)
            {
                throw new TemplateException("unclosed left paren");
            }
            return new Operand.Nested(Parse(tokens[start..(position - 1)], positions[start..(position - 1)], "parenthesized pipeline"));
        }
        if (token.StartsWith('"') || token.StartsWith('`'))
        {
            return new Operand.Literal(Unquote(token)) { Source = token };
        }
        // Go's text/template: a number written without '.', 'e' or 'p' is an int, and an int is not a float64
        // to printf's %d or to lt/gt/eq (which refuse to compare the two).
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return new Operand.Literal(integer) { Source = token };
        }
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new Operand.Literal(number) { Source = token };
        }
        if (token == "nil")
        {
            return new Operand.Literal(null) { Source = token };
        }
        if (token is "true" or "false")
        {
            return new Operand.Literal(token == "true") { Source = token };
        }
        if (token.StartsWith('$') || token.StartsWith('.'))
        {
            return new Operand.Path(token);
        }
        if (!TemplateFunctions.Exists(token))
        {
            throw new TemplateException($"function \"{token}\" not defined");
        }
        return new Operand.Function(token);
    }

    private static string Unquote(string token)
    {
        if (token.StartsWith('`'))
        {
            return token[1..^1];
        }
        var sb = new StringBuilder();
        for (var i = 1; i < token.Length - 1; i++)
        {
            if (token[i] == '\\' && i + 1 < token.Length - 1)
            {
                i++;
                sb.Append(token[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var c => c });
            }
            else
            {
                sb.Append(token[i]);
            }
        }
        return sb.ToString();
    }

    private static List<string> Tokenize(string text, List<int> positions)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (c is '|' or '(' or ')')
            {
                positions.Add(i);
                tokens.Add(c.ToString());
                i++;
                continue;
            }
            if (c is '"' or '`')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != c)
                {
                    end += c == '"' && text[end] == '\\' ? 2 : 1;
                }
                if (end >= text.Length)
                {
                    throw new TemplateException("unterminated quoted string");
                }
                positions.Add(i);
                tokens.Add(text[i..(end + 1)]);
                i = end + 1;
                continue;
            }
            if (c == ':' && i + 1 < text.Length && text[i + 1] == '=')
            {
                positions.Add(i);
                tokens.Add(":=");
                i += 2;
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('|' or '(' or ')'))
            {
                i++;
            }
            positions.Add(start);
            tokens.Add(text[start..i]);
        }
        return tokens;
    }

    public object? Evaluate(TemplateScope scope, TemplateData data)
    {
        object? result = null;
        for (var c = 0; c < commands.Count; c++)
        {
            var command = commands[c];
            var piped = c > 0;
            var node = string.Join(' ', command.Select(o => o.Source));
            try
            {
                if (command[0] is Operand.Function function)
                {
                    var args = command.Skip(1).Select(o => o.Evaluate(scope, data)).ToList();
                    if (piped)
                    {
                        args.Add(result);
                    }
                    try
                    {
                        result = TemplateFunctions.Call(function.Name, args, data);
                    }
                    catch (Exception e) when (e is TemplateException and not TemplateExecutionException or Vigil.Metrics.PromQL.PromQLEvaluationException or Vigil.Metrics.PromQL.PromQLParseException)
                    {
                        throw new TemplateExecutionException(starts[c], node, $"error calling {function.Name}: {e.Message}");
                    }
                }
                else
                {
                    if (command.Count > 1 || piped)
                    {
                        throw new TemplateException($"can't give argument to non-function {command[0].Source}");
                    }
                    result = command[0].Evaluate(scope, data);
                }
            }
            catch (TemplateException e) when (e is not TemplateExecutionException)
            {
                throw new TemplateExecutionException(starts[c], node, e.Message);
            }
        }
        return result;
    }
}

internal abstract record Operand
{
    public abstract object? Evaluate(TemplateScope scope, TemplateData data);

    /// <summary>The operand as Go's text/template prints a node in its errors.</summary>
    public abstract string Source { get; init; }

    public sealed record Literal(object? Value) : Operand
    {
        public override string Source { get; init; } = "";

        public override object? Evaluate(TemplateScope scope, TemplateData data) => Value;
    }

    public sealed record Function(string Name) : Operand
    {
        public override string Source { get; init; } = Name;

        public override object? Evaluate(TemplateScope scope, TemplateData data) => TemplateFunctions.Call(Name, [], data);
    }

    public sealed record Nested(Pipeline Pipeline) : Operand
    {
        public override string Source { get; init; } = $"({Pipeline})";

        public override object? Evaluate(TemplateScope scope, TemplateData data) => Pipeline.Evaluate(scope, data);
    }

    /// <summary><c>$labels.instance</c>, <c>.Value</c>, <c>.</c>, <c>$value</c>.</summary>
    public sealed record Path(string Text) : Operand
    {
        public override string Source { get; init; } = Text;

        public override object? Evaluate(TemplateScope scope, TemplateData data)
        {
            object? value;
            IEnumerable<string> fields;
            if (Text.StartsWith('$'))
            {
                var parts = Text.Split('.');
                if (!scope.Variables.TryGetValue(parts[0], out value))
                {
                    throw new TemplateException($"undefined variable \"{parts[0]}\"");
                }
                fields = parts.Skip(1);
            }
            else
            {
                value = scope.Dot;
                fields = Text == "." ? [] : Text[1..].Split('.');
            }
            foreach (var field in fields)
            {
                value = TemplateValues.Field(value, field);
            }
            return value;
        }
    }
}
