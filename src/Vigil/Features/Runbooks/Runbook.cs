namespace Vigil.Features.Runbooks;

/// <summary>The risk a runbook declares; a High-risk automated step needs a second person's approval.</summary>
public enum RunbookRisk
{
    Low,
    Medium,
    High,
}

/// <summary>A runbook read from a Markdown file: its front matter, its sections and its steps.</summary>
/// <param name="Name">The file name without <c>.md</c>: what alert annotations and links use.</param>
public sealed record Runbook(
    string Name,
    string Title,
    RunbookRisk Risk,
    string? Frequency,
    string? Duration,
    string? Owner,
    IReadOnlyList<string> Services,
    string? Purpose,
    string? WhenToUse,
    IReadOnlyList<RunbookStep> Steps,
    string Markdown,
    string? File);

/// <summary>One step of a runbook's procedure, with what it should achieve and its optional automated action.</summary>
public sealed record RunbookStep(int Number, string Title, int Line, string? ExpectedResult, RunbookAction? Action);

/// <summary>An automated action of a step: a command from the allow-list by name, or an HTTP call to an allowed URL.</summary>
public sealed record RunbookAction(RunbookActionKind Kind, string Target, string? Method = null);

public enum RunbookActionKind
{
    Command,
    Http,
}
