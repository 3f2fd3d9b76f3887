using System.Text.RegularExpressions;
using Vigil.Metrics.Exposition;

namespace Vigil.Metrics.Scrape;

/// <summary>What a relabelling step does, as in Prometheus <c>relabel_configs</c>.</summary>
public enum RelabelAction
{
    /// <summary>Sets <c>target_label</c> to the expanded <c>replacement</c> when the regex matches the joined source values.</summary>
    Replace,
    /// <summary>Drops the series or target unless the regex matches the joined source values.</summary>
    Keep,
    /// <summary>Drops the series or target when the regex matches the joined source values.</summary>
    Drop,
    /// <summary>Sets <c>target_label</c> to the MD5 of the joined source values modulo <c>modulus</c>.</summary>
    HashMod,
    /// <summary>Copies every label whose name matches the regex to the name given by <c>replacement</c>.</summary>
    LabelMap,
    /// <summary>Removes every label whose name matches the regex.</summary>
    LabelDrop,
    /// <summary>Removes every label whose name does not match the regex.</summary>
    LabelKeep,
    /// <summary>Sets <c>target_label</c> to the lower-cased joined source values.</summary>
    Lowercase,
    /// <summary>Sets <c>target_label</c> to the upper-cased joined source values.</summary>
    Uppercase,
    /// <summary>Drops unless the joined source values equal the value of <c>target_label</c>.</summary>
    KeepEqual,
    /// <summary>Drops when the joined source values equal the value of <c>target_label</c>.</summary>
    DropEqual,
}

/// <summary>
/// One relabelling step with Prometheus's defaults: separator <c>;</c>, regex <c>(.*)</c> fully
/// anchored, replacement <c>$1</c>, action replace.
/// </summary>
public sealed class RelabelConfig
{
    private readonly string regex = "(.*)";

    /// <summary>Labels whose values are joined with <see cref="Separator"/> and matched.</summary>
    public IReadOnlyList<string> SourceLabels { get; init; } = [];

    /// <summary>Separator between source label values; default <c>;</c>.</summary>
    public string Separator { get; init; } = ";";

    /// <summary>The regular expression as written; it is anchored at both ends. Default <c>(.*)</c>.</summary>
    public string Regex
    {
        get => regex;
        init
        {
            regex = value;
            // Go's $ means end of text; .NET's $ also matches before a final newline, hence \z.
            CompiledRegex = new Regex("^(?:" + value + ")\\z", RegexOptions.CultureInvariant);
        }
    }

    /// <summary>The modulus for <see cref="RelabelAction.HashMod"/>.</summary>
    public ulong Modulus { get; init; }

    /// <summary>The label to write; may contain <c>$1</c>-style references for <see cref="RelabelAction.Replace"/>.</summary>
    public string TargetLabel { get; init; } = "";

    /// <summary>The value template, with <c>$1</c>, <c>${1}</c>, <c>$name</c> references as in Go; default <c>$1</c>.</summary>
    public string Replacement { get; init; } = "$1";

    /// <summary>The action; default <see cref="RelabelAction.Replace"/>.</summary>
    public RelabelAction Action { get; init; } = RelabelAction.Replace;

    internal Regex CompiledRegex { get; private init; } = new("^(?:(.*))\\z", RegexOptions.CultureInvariant);

    /// <summary>The problems Prometheus would report when loading this step; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var action = Action.ToString().ToLowerInvariant();
        if (Action == RelabelAction.HashMod && Modulus == 0)
        {
            errors.Add("relabel configuration for hashmod requires non-zero modulus");
        }
        var needsTarget = Action is RelabelAction.Replace or RelabelAction.HashMod or RelabelAction.Lowercase
            or RelabelAction.Uppercase or RelabelAction.KeepEqual or RelabelAction.DropEqual;
        if (needsTarget && TargetLabel.Length == 0)
        {
            errors.Add($"relabel configuration for {action} action requires 'target_label' value");
        }
        else if (needsTarget && !LabelNames.IsValidLabelName(TargetLabel) && !(Action == RelabelAction.Replace && TargetLabel.Contains('$', StringComparison.Ordinal)))
        {
            errors.Add($"\"{TargetLabel}\" is invalid 'target_label' for {action} action");
        }
        if (Action is RelabelAction.LabelDrop or RelabelAction.LabelKeep &&
            (SourceLabels.Count > 0 || TargetLabel.Length > 0 || Modulus != 0 || Separator != ";" || Replacement != "$1"))
        {
            errors.Add($"{action} action requires only 'regex', and no other fields");
        }
        return errors;
    }
}
