namespace Vigil.Configuration;

/// <summary>One problem in a configuration file, with where it is and what is wrong.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Reason)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Reason}" : $"{File}: {Reason}";
}

/// <summary>A field-level problem found by a validator, addressed by its path (<c>services[2].tier</c>).</summary>
public sealed record FieldError(string Path, string Reason);

/// <summary>Thrown when a configuration cannot be used; carries every error found, not just the first.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
