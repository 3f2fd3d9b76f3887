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

/// <summary>
/// A list of this type may also be written as a mapping from each entry's name to the rest of it
/// (<c>rules: {High Error Rate: {condition: ...}}</c>, as operators' guides write alert rules);
/// the key becomes the entry's <c>name</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ConfigKeyedByNameAttribute : Attribute;
