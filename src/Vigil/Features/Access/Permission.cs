namespace Vigil.Features.Access;

/// <summary>
/// Named permissions, one per area and kind of action. Every endpoint declares the one it needs
/// with <see cref="PermissionEndpointExtensions.RequirePermission{TBuilder}"/> (or
/// <c>@attribute [RequirePermission(...)]</c> on a console page), or declares itself public with
/// <see cref="PermissionEndpointExtensions.AllowAnonymousCaller{TBuilder}"/>. An endpoint that
/// declares neither is refused to everyone (see <see cref="AccessDecision"/>).
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
    /// <summary>See schedules, who is on call and the shifts ahead.</summary>
    public const string OnCallView = "oncall.view";
    /// <summary>Create, change and delete schedules; add or remove anyone's overrides.</summary>
    public const string OnCallManage = "oncall.manage";
    /// <summary>Add or remove overrides that name oneself (take a colleague's shift).</summary>
    public const string OnCallOverrideSelf = "oncall.override_self";
    /// <summary>One's own account: password, MFA enrolment, one's own API tokens.</summary>
    public const string AccountSelf = "account.self";
    /// <summary>Other people's accounts: create users, change their roles, revoke their tokens.</summary>
    public const string AccessManage = "access.manage";
    public const string AuditView = "audit.view";
    /// <summary>GDPR requests: export everything about a user, erase a user.</summary>
    public const string PersonalDataManage = "personal_data.manage";

    /// <summary>Held by super_admin only (the seeds' <c>'*'</c>): every permission, including ones added later, and granting super_admin.</summary>
    public const string Everything = "*";

    public static IReadOnlyList<string> All { get; } =
        [CatalogView, CatalogEdit, MonitorsView, MonitorsEdit, MetricsView, MetricsWrite, SystemView, ConfigReload, AccountSelf, AccessManage, AuditView, PersonalDataManage,
            OnCallView, OnCallManage, OnCallOverrideSelf];
}

/// <summary>The five roles of the seeds' access-control guide.</summary>
public static class Role
{
    public const string SuperAdmin = "super_admin";
    public const string Admin = "admin";
    public const string Manager = "manager";
    public const string Operator = "operator";
    public const string Viewer = "viewer";

    /// <summary>Widest first.</summary>
    public static IReadOnlyList<string> All { get; } = [SuperAdmin, Admin, Manager, Operator, Viewer];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role);
}

/// <summary>
/// The role → permission matrix, the one place it is written (docs/access.md shows it). A new
/// area adds its permissions to <see cref="Permission"/> and a column here.
/// </summary>
public static class RolePermissions
{
    private static readonly Dictionary<string, HashSet<string>> Matrix = new(StringComparer.Ordinal)
    {
        [Role.SuperAdmin] = [.. Permission.All, Permission.Everything],
        [Role.Admin] =
        [
            Permission.CatalogView, Permission.CatalogEdit, Permission.MonitorsView, Permission.MonitorsEdit,
            Permission.MetricsView, Permission.MetricsWrite, Permission.SystemView, Permission.ConfigReload,
            Permission.AccountSelf, Permission.AccessManage, Permission.AuditView, Permission.PersonalDataManage,
            Permission.OnCallView, Permission.OnCallManage, Permission.OnCallOverrideSelf,
        ],
        [Role.Manager] =
        [
            Permission.CatalogView, Permission.CatalogEdit, Permission.MonitorsView, Permission.MonitorsEdit,
            Permission.MetricsView, Permission.SystemView, Permission.AccountSelf,
            Permission.OnCallView, Permission.OnCallManage, Permission.OnCallOverrideSelf,
        ],
        // Operators pause and resume checks during incidents, and agents that push metrics
        // (remote-write, imports) get operator tokens.
        [Role.Operator] =
        [
            Permission.CatalogView, Permission.MonitorsView, Permission.MonitorsEdit, Permission.MetricsView,
            Permission.MetricsWrite, Permission.SystemView, Permission.AccountSelf,
            Permission.OnCallView, Permission.OnCallOverrideSelf,
        ],
        [Role.Viewer] = [Permission.CatalogView, Permission.MonitorsView, Permission.MetricsView, Permission.SystemView, Permission.AccountSelf, Permission.OnCallView],
    };

    public static IReadOnlySet<string> Of(string role) =>
        Matrix.TryGetValue(role, out var permissions) ? permissions : new HashSet<string>();

    public static bool Grants(string role, string permission) => Of(role).Contains(permission);

    /// <summary>The union of the roles' permissions.</summary>
    public static HashSet<string> Union(IEnumerable<string> roles) =>
        roles.SelectMany(Of).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Whether someone holding <paramref name="held"/> may hand out <paramref name="role"/> (to a
    /// token or another user): only when the role grants nothing they do not hold themselves.
    /// Only super_admin holds <see cref="Permission.Everything"/>, so only it may grant super_admin.
    /// </summary>
    public static bool MayGrant(IReadOnlySet<string> held, string role) =>
        Role.IsKnown(role) && Of(role).All(held.Contains);
}

/// <summary>The permission an endpoint or console page requires, as endpoint metadata.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RequirePermissionAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Marks an endpoint as answering anonymous callers on purpose (liveness, sign-in, public status page).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class PublicEndpointAttribute : Attribute;

public static class PermissionEndpointExtensions
{
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequirePermissionAttribute(permission));

    public static TBuilder AllowAnonymousCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicEndpointAttribute());
}
