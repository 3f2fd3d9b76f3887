namespace Vigil.Configuration;

/// <summary>The key must be present in the YAML mapping.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigRequiredAttribute : Attribute;

/// <summary>The property is not read from configuration.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigIgnoreAttribute : Attribute;
