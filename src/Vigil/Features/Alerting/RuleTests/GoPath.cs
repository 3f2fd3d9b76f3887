using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Features.Alerting.RuleTests;

/// <summary>
/// Go's path/filepath functions that promtool uses to find rule files (<c>Dir</c>, <c>Join</c>,
/// <c>Glob</c>), so that the files found and the names printed are the ones promtool finds and prints.
/// </summary>
internal static class GoPath
{
    /// <summary><c>filepath.Dir</c>: the folder of <paramref name="path"/>, <c>.</c> for a bare name.</summary>
    public static string Dir(string path)
    {
        var slash = path.LastIndexOf('/');
        return Clean(slash < 0 ? "" : path[..(slash + 1)]);
    }

    /// <summary><c>filepath.Join</c>: joined with <c>/</c> and cleaned (<c>./a</c> is <c>a</c>, <c>a/../b</c> is <c>b</c>).</summary>
    public static string Join(string dir, string name) => Clean(dir.Length == 0 ? name : dir + "/" + name);

    /// <summary><c>filepath.Clean</c>.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }
        var rooted = path.StartsWith('/');
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == ".." && parts.Count > 0 && parts[^1] != "..")
            {
                parts.RemoveAt(parts.Count - 1);
            }
            else if (part != ".." || !rooted)
            {
                parts.Add(part);
            }
        }
        var joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>
    /// <c>filepath.Glob</c>: the files matching <paramref name="pattern"/> (<c>*</c>, <c>?</c>, <c>[...]</c>
    /// within one path element), sorted per folder; a pattern without those characters matches
    /// itself when it exists. False when the pattern is malformed (Go's <c>ErrBadPattern</c>).
    /// </summary>
    public static bool TryGlob(string pattern, out List<string> matches)
    {
        matches = [];
        if (!HasMeta(pattern))
        {
            if (File.Exists(pattern) || Directory.Exists(pattern))
            {
                matches.Add(pattern);
            }
            return true;
        }
        var slash = pattern.LastIndexOf('/');
        var dir = slash < 0 ? "." : Clean(pattern[..(slash + 1)]);
        var file = pattern[(slash + 1)..];
        if (ToRegex(file) is not { } regex)
        {
            return false;
        }
        List<string> dirs;
        if (HasMeta(dir))
        {
            if (!TryGlob(dir, out dirs))
            {
                return false;
            }
        }
        else
        {
            dirs = [dir];
        }
        foreach (var d in dirs)
        {
            if (!Directory.Exists(d))
            {
                continue;
            }
            var names = Directory.EnumerateFileSystemEntries(d).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
            matches.AddRange(names.Where(n => regex.IsMatch(n)).Select(n => slash < 0 ? n : Join(d, n)));
        }
        return true;
    }

    private static bool HasMeta(string path) => path.IndexOfAny(['*', '?', '[', '\\']) >= 0;

    /// <summary><c>filepath.Match</c>'s syntax as a regular expression; null when malformed.</summary>
    private static Regex? ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\':
                    if (++i >= pattern.Length)
                    {
                        return null;
                    }
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        return null;
                    }
                    var set = pattern[(i + 1)..end];
                    regex.Append('[').Append(set.StartsWith('^') ? "^" + Regex.Escape(set[1..]).Replace("\\-", "-", StringComparison.Ordinal) : Regex.Escape(set).Replace("\\-", "-", StringComparison.Ordinal)).Append(']');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
