using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Vigil.Metrics.Exposition;

namespace Vigil.Metrics.Scrape;

/// <summary>Applies relabelling steps to a label set, as Prometheus 2.42's <c>relabel.Process</c>.</summary>
public static class Relabeling
{
    /// <summary>
    /// Runs the steps in order, each on the output of the previous one. Returns null when a step
    /// drops the series (or target), or when no labels are left.
    /// </summary>
    public static Labels? Process(Labels labels, IReadOnlyList<RelabelConfig> steps)
    {
        foreach (var step in steps)
        {
            var next = Apply(labels, step);
            if (next is null)
            {
                return null;
            }
            labels = next;
        }
        return labels.Count == 0 ? null : labels;
    }

    private static Labels? Apply(Labels labels, RelabelConfig step)
    {
        var value = string.Join(step.Separator, step.SourceLabels.Select(labels.Get));
        switch (step.Action)
        {
            case RelabelAction.Drop:
                return step.CompiledRegex.IsMatch(value) ? null : labels;
            case RelabelAction.Keep:
                return step.CompiledRegex.IsMatch(value) ? labels : null;
            case RelabelAction.DropEqual:
                return labels.Get(step.TargetLabel) == value ? null : labels;
            case RelabelAction.KeepEqual:
                return labels.Get(step.TargetLabel) == value ? labels : null;
            case RelabelAction.Replace:
                var match = step.CompiledRegex.Match(value);
                if (!match.Success)
                {
                    return labels;
                }
                var target = Expand(step.TargetLabel, match);
                if (!LabelNames.IsValidLabelName(target))
                {
                    // Prometheus deletes the configured target label when the expanded name is invalid.
                    return labels.With(step.TargetLabel, "");
                }
                return labels.With(target, Expand(step.Replacement, match));
            case RelabelAction.Lowercase:
                return labels.With(step.TargetLabel, value.ToLowerInvariant());
            case RelabelAction.Uppercase:
                return labels.With(step.TargetLabel, value.ToUpperInvariant());
            case RelabelAction.HashMod:
                return labels.With(step.TargetLabel, (Sum64(value) % step.Modulus).ToString(CultureInfo.InvariantCulture));
            case RelabelAction.LabelMap:
                var mapped = labels;
                foreach (var l in labels)
                {
                    var m = step.CompiledRegex.Match(l.Name);
                    if (m.Success)
                    {
                        mapped = mapped.With(Expand(step.Replacement, m), l.Value);
                    }
                }
                return mapped;
            case RelabelAction.LabelDrop:
                return Labels.FromSorted([.. labels.Where(l => !step.CompiledRegex.IsMatch(l.Name))]);
            case RelabelAction.LabelKeep:
                return Labels.FromSorted([.. labels.Where(l => step.CompiledRegex.IsMatch(l.Name))]);
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Action, "unknown relabel action");
        }
    }

    /// <summary>Prometheus's <c>sum64(md5(value))</c>: the last eight bytes of the MD5, big-endian (the first eight shift out in Go).</summary>
    internal static ulong Sum64(string value)
    {
        var hash = MD5.HashData(Encoding.UTF8.GetBytes(value));
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash.AsSpan(8));
    }

    /// <summary>Go's <c>Regexp.Expand</c>: <c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>${name}</c>, <c>$$</c>; a missing group expands to nothing.</summary>
    internal static string Expand(string template, Match match)
    {
        if (!template.Contains('$', StringComparison.Ordinal))
        {
            return template;
        }
        var sb = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                sb.Append(c);
                continue;
            }
            if (template[i + 1] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            string name;
            var end = i + 1;
            if (template[end] == '{')
            {
                var close = template.IndexOf('}', end);
                name = close < 0 ? "" : template[(end + 1)..close];
                end = close < 0 ? end : close + 1;
            }
            else
            {
                while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] == '_'))
                {
                    end++;
                }
                name = template[(i + 1)..end];
            }
            if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                sb.Append('$');
                continue;
            }
            var group = name.All(char.IsAsciiDigit)
                ? (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? match.Groups[n] : null)
                : match.Groups[name];
            if (group is { Success: true })
            {
                sb.Append(group.Value);
            }
            i = end - 1;
        }
        return sb.ToString();
    }
}
