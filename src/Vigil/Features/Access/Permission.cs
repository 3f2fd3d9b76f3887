namespace Vigil.Features.Access;

/// <summary>
/// Named permissions, one per area and kind of action. Every endpoint declares the one it needs
/// with <see cref="PermissionEndpointExtensions.RequirePermission{TBuilder}"/> (or
/// <c>@attribute [RequirePermission(...)]</c> on a console page), or declares itself public with
/// <see cref="PermissionEndpointExtensions.AllowAnonymousCaller{TBuilder}"/>.
/// </summary>
public static class Permission
{
    public const string CatalogView = "catalog.view";
    public const string CatalogEdit = "catalog.edit";
    public const string MonitorsView = "monitors.view";
    public const string MonitorsEdit = "monitors.edit";
    public const string SystemView = "system.view";
    public const string ConfigReload = "config.reload";
    public const string MetricsView = "metrics.view";
    public const string MetricsWrite = "metrics.write";
}

/// <summary>The permission an endpoint or console page requires, as endpoint metadata.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RequirePermissionAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Marks an endpoint as answering anonymous callers on purpose (liveness, public status page).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class PublicEndpointAttribute : Attribute;

public static class PermissionEndpointExtensions
{
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequirePermissionAttribute(permission));

    public static TBuilder AllowAnonymousCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicEndpointAttribute());
}
