namespace Vigil.Configuration;

/// <summary>The key must be present in the YAML mapping.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigRequiredAttribute : Attribute;

/// <summary>The property is not read from configuration.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigIgnoreAttribute : Attribute;

/// <summary>A list that may also be written as its one element (<c>expected_status: 200</c> for <c>[200]</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigSingleOrListAttribute : Attribute;
