using System.Globalization;
using System.Text;

namespace Vigil.Metrics.PromQL;

internal enum TokenKind
{
    Eof,
    Identifier,
    MetricIdentifier,
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    At,
    Operator,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    /// <summary>How Prometheus names a token in "unexpected ..." errors.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Eof => "end of input",
        TokenKind.Identifier when Syntax.IsKeyword(Text) => $"<{Text.ToLowerInvariant()}>",
        TokenKind.Identifier when Syntax.IsAggregator(Text) => $"<aggr:{Text.ToLowerInvariant()}>",
        TokenKind.Identifier => $"identifier \"{Text}\"",
        TokenKind.MetricIdentifier => $"metric identifier \"{Text}\"",
        TokenKind.Number => $"number \"{Text}\"",
        TokenKind.Duration => $"duration \"{Text}\"",
        TokenKind.String => $"string \"{Text}\"",
        TokenKind.Operator when Text == "=" => "\"=\"",
        TokenKind.Operator => $"<op:{Text}>",
        TokenKind.At => "<@>",
        _ => $"\"{Text}\"",
    };
}

/// <summary>Splits a PromQL query into tokens, reporting unbalanced brackets as Prometheus's lexer does.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string q)
    {
        var tokens = new List<Token>();
        var parens = new Stack<int>();
        var braceOpen = -1;
        var bracketOpen = -1;
        var i = 0;
        while (true)
        {
            while (i < q.Length && (char.IsWhiteSpace(q[i]) || q[i] == '#'))
            {
                if (q[i] == '#')
                {
                    while (i < q.Length && q[i] != '\n')
                    {
                        i++;
                    }
                    continue;
                }
                i++;
            }
            if (i >= q.Length)
            {
                if (parens.Count > 0)
                {
                    // Prometheus reports these at the end of the input (promtool: "1:38" for a 37-character expression).
                    throw new PromQLParseException(q, q.Length, "unclosed left parenthesis");
                }
                if (braceOpen >= 0)
                {
                    throw new PromQLParseException(q, q.Length, "unexpected end of input inside braces");
                }
                if (bracketOpen >= 0)
                {
                    throw new PromQLParseException(q, bracketOpen, "unclosed left bracket");
                }
                tokens.Add(new Token(TokenKind.Eof, "", q.Length));
                return tokens;
            }
            var start = i;
            var c = q[i];
            switch (c)
            {
                case '(':
                    parens.Push(i);
                    tokens.Add(new Token(TokenKind.LeftParen, "(", i++));
                    continue;
                case ')':
                    if (parens.Count == 0)
                    {
                        throw new PromQLParseException(q, i, "unexpected right parenthesis ')'");
                    }
                    parens.Pop();
                    tokens.Add(new Token(TokenKind.RightParen, ")", i++));
                    continue;
                case '{':
                    if (braceOpen >= 0)
                    {
                        throw new PromQLParseException(q, i, "unexpected left brace '{'");
                    }
                    braceOpen = i;
                    tokens.Add(new Token(TokenKind.LeftBrace, "{", i++));
                    continue;
                case '}':
                    if (braceOpen < 0)
                    {
                        throw new PromQLParseException(q, i, "unexpected character: '}'");
                    }
                    braceOpen = -1;
                    tokens.Add(new Token(TokenKind.RightBrace, "}", i++));
                    continue;
                case '[':
                    if (bracketOpen >= 0)
                    {
                        throw new PromQLParseException(q, i, "unexpected left bracket '['");
                    }
                    bracketOpen = i;
                    tokens.Add(new Token(TokenKind.LeftBracket, "[", i++));
                    continue;
                case ']':
                    if (bracketOpen < 0)
                    {
                        throw new PromQLParseException(q, i, "unexpected right bracket ']'");
                    }
                    bracketOpen = -1;
                    tokens.Add(new Token(TokenKind.RightBracket, "]", i++));
                    continue;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ",", i++));
                    continue;
                case '@':
                    tokens.Add(new Token(TokenKind.At, "@", i++));
                    continue;
                case ':' when bracketOpen >= 0:
                    tokens.Add(new Token(TokenKind.Colon, ":", i++));
                    continue;
                case '"' or '\'' or '`':
                    tokens.Add(new Token(TokenKind.String, ReadString(q, ref i), start));
                    continue;
            }
            if (braceOpen >= 0 && !(char.IsAsciiLetter(c) || c == '_' || c is '=' or '!'))
            {
                // Inside braces only label names, matching operators, strings and commas may appear.
                throw new PromQLParseException(q, i, $"unexpected character inside braces: '{c}'");
            }
            if (braceOpen < 0 && i + 1 < q.Length && q[i + 1] == '~' && c is '=' or '!')
            {
                throw new PromQLParseException(q, i, $"unexpected character after '{c}': '~'");
            }
            if (c == '!' && (i + 1 >= q.Length || q[i + 1] is not ('=' or '~')))
            {
                throw new PromQLParseException(q, i, i + 1 < q.Length ? $"unexpected character after '!': '{q[i + 1]}'" : "unexpected end of input after '!'");
            }
            var op = ReadOperator(q, i);
            if (op is not null)
            {
                tokens.Add(new Token(TokenKind.Operator, op, i));
                i += op.Length;
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < q.Length && char.IsAsciiDigit(q[i + 1])))
            {
                var token = ReadNumberOrDuration(q, ref i);
                if (bracketOpen >= 0 && token.Kind == TokenKind.Number)
                {
                    throw new PromQLParseException(q, token.Position, "missing unit character in duration");
                }
                tokens.Add(token);
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_' || c == ':')
            {
                while (i < q.Length && (char.IsAsciiLetterOrDigit(q[i]) || q[i] == '_' || (q[i] == ':' && braceOpen < 0)))
                {
                    i++;
                }
                var word = q[start..i];
                var kind = word.Contains(':', StringComparison.Ordinal) ? TokenKind.MetricIdentifier : TokenKind.Identifier;
                if (word.Equals("inf", StringComparison.OrdinalIgnoreCase) || word.Equals("nan", StringComparison.OrdinalIgnoreCase))
                {
                    kind = TokenKind.Number;
                }
                tokens.Add(new Token(kind, word, start));
                continue;
            }
            throw new PromQLParseException(q, i, $"unexpected character: '{c}'");
        }
    }

    private static string? ReadOperator(string q, int i)
    {
        var two = i + 1 < q.Length ? q.Substring(i, 2) : "";
        switch (two)
        {
            case "==" or "!=" or "<=" or ">=" or "=~" or "!~":
                return two;
        }
        return q[i] switch
        {
            '+' or '-' or '*' or '/' or '%' or '^' or '<' or '>' or '=' => q[i].ToString(),
            _ => null,
        };
    }

    private static Token ReadNumberOrDuration(string q, ref int i)
    {
        var start = i;
        if (q[i] == '0' && i + 1 < q.Length && (q[i + 1] is 'x' or 'X'))
        {
            i += 2;
            while (i < q.Length && char.IsAsciiHexDigit(q[i]))
            {
                i++;
            }
            return new Token(TokenKind.Number, q[start..i], start);
        }
        var digitsOnly = true;
        while (i < q.Length && char.IsAsciiDigit(q[i]))
        {
            i++;
        }
        if (i < q.Length && q[i] == '.')
        {
            digitsOnly = false;
            i++;
            while (i < q.Length && char.IsAsciiDigit(q[i]))
            {
                i++;
            }
        }
        if (digitsOnly && i < q.Length && q[i] is 'y' or 'w' or 'd' or 'h' or 'm' or 's')
        {
            // A duration: groups of digits followed by units, e.g. 1h30m or 500ms.
            while (i < q.Length && (char.IsAsciiDigit(q[i]) || q[i] is 'y' or 'w' or 'd' or 'h' or 'm' or 's'))
            {
                i++;
            }
            var text = q[start..i];
            if (i < q.Length && (char.IsAsciiLetterOrDigit(q[i]) || q[i] == '_'))
            {
                throw new PromQLParseException(q, start, $"bad duration syntax: \"{q[start..(i + 1)]}\"");
            }
            if (!Numbers.TryParseDuration(text, out _))
            {
                throw new PromQLParseException(q, start, $"not a valid duration string: \"{text}\"");
            }
            return new Token(TokenKind.Duration, text, start);
        }
        if (i < q.Length && q[i] is 'e' or 'E')
        {
            var save = i;
            i++;
            if (i < q.Length && q[i] is '+' or '-')
            {
                i++;
            }
            if (i < q.Length && char.IsAsciiDigit(q[i]))
            {
                while (i < q.Length && char.IsAsciiDigit(q[i]))
                {
                    i++;
                }
            }
            else
            {
                i = save;
            }
        }
        if (i < q.Length && (char.IsAsciiLetterOrDigit(q[i]) || q[i] == '_' || q[i] == '.'))
        {
            while (i < q.Length && (char.IsAsciiLetterOrDigit(q[i]) || q[i] == '_' || q[i] == '.'))
            {
                i++;
            }
            throw new PromQLParseException(q, start, $"bad number or duration syntax: \"{q[start..i]}\"");
        }
        return new Token(TokenKind.Number, q[start..i], start);
    }

    private static string ReadString(string q, ref int i)
    {
        var quote = q[i];
        var start = i;
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= q.Length || (quote != '`' && q[i] == '\n'))
            {
                throw new PromQLParseException(q, start, "unterminated quoted string");
            }
            var c = q[i++];
            if (c == quote)
            {
                return sb.ToString();
            }
            if (c != '\\' || quote == '`')
            {
                sb.Append(c);
                continue;
            }
            if (i >= q.Length)
            {
                throw new PromQLParseException(q, start, "unterminated quoted string");
            }
            var e = q[i++];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '"' or '\'' when e == quote: sb.Append(e); break;
                case 'x':
                    sb.Append((char)ReadHex(q, ref i, 2, start));
                    break;
                case 'u':
                    sb.Append(CodePoint(q, ReadHex(q, ref i, 4, start), start));
                    break;
                case 'U':
                    sb.Append(CodePoint(q, ReadHex(q, ref i, 8, start), start));
                    break;
                case >= '0' and <= '7':
                    // Exactly three octal digits up to \377, as Prometheus's lexEscape (lex.go) reads them.
                    i--;
                    var octal = 0;
                    for (var n = 0; n < 3; n++, i++)
                    {
                        if (i >= q.Length || q[i] is < '0' or > '7')
                        {
                            throw new PromQLParseException(q, start, "invalid escape sequence in string");
                        }
                        octal = (octal * 8) + (q[i] - '0');
                    }
                    if (octal > 255)
                    {
                        throw new PromQLParseException(q, start, "escape sequence is an invalid Unicode code point");
                    }
                    sb.Append((char)octal);
                    break;
                default:
                    throw new PromQLParseException(q, i - 2, "unknown escape sequence");
            }
        }
    }

    /// <summary>A <c>\u</c> or <c>\U</c> escape's code point; surrogates and values past U+10FFFF are refused, as in lex.go.</summary>
    private static string CodePoint(string q, int value, int start) =>
        value is < 0 or > 0x10FFFF or (>= 0xD800 and < 0xE000)
            ? throw new PromQLParseException(q, start, "escape sequence is an invalid Unicode code point")
            : char.ConvertFromUtf32(value);

    private static int ReadHex(string q, ref int i, int n, int start)
    {
        if (i + n > q.Length || !int.TryParse(q.AsSpan(i, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
        {
            throw new PromQLParseException(q, start, "invalid escape sequence in string");
        }
        i += n;
        return v;
    }
}
