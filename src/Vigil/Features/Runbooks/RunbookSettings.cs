using Vigil.Configuration;

namespace Vigil.Features.Runbooks;

/// <summary>
/// The <c>runbooks:</c> section of vigil.yaml: where the runbook files are, and the only automated
/// actions a runbook step may name (commands by name, HTTP calls by URL prefix).
/// </summary>
public sealed class RunbookSettings
{
    /// <summary>The directory of <c>*.md</c> runbooks; relative to vigil.yaml's directory. Default <c>runbooks</c>.</summary>
    public string Directory { get; set; } = DefaultDirectory;

    /// <summary>Commands a step may run with <c>**Command**: NAME</c>; nothing else can be run.</summary>
    public List<RunbookCommandDefinition> Commands { get; set; } = [];

    /// <summary>URL prefixes a step may call with <c>**HTTP**: METHOD URL</c> (same scheme, host and port; path starting with the prefix's).</summary>
    public List<string> Http { get; set; } = [];

    /// <summary>The runbooks read from <see cref="Directory"/> when the configuration was loaded.</summary>
    [ConfigIgnore]
    public IReadOnlyList<Runbook> Loaded { get; set; } = [];

    public const string DefaultDirectory = "runbooks";
}

/// <summary>An allowed command: its name, as steps write it, and the program and arguments it runs.</summary>
[ConfigKeyedByName]
public sealed class RunbookCommandDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }

    /// <summary>The program and its arguments (no shell).</summary>
    public List<string> Run { get; set; } = [];
}
