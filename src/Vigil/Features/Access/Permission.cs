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
    /// <summary>One's own account: password, MFA enrolment, one's own API tokens.</summary>
    public const string AccountSelf = "account.self";
    /// <summary>Other people's accounts: create users, change their roles, revoke their tokens.</summary>
    public const string AccessManage = "access.manage";
    public const string AuditView = "audit.view";
    /// <summary>GDPR requests: export everything about a user, erase a user.</summary>
    public const string PersonalDataManage = "personal_data.manage";
    /// <summary>See rules and their evaluation, alerts with their state and history, silences and maintenance windows.</summary>
    public const string AlertsView = "alerts.view";
    /// <summary>Create, extend and expire silences; edit maintenance windows defined through the API.</summary>
    public const string AlertsSilence = "alerts.silence";
    /// <summary>See channels, the notification outbox and its delivery attempts.</summary>
    public const string NotificationsView = "notifications.view";
    /// <summary>Send a test notification through a channel.</summary>
    public const string NotificationsTest = "notifications.test";
    /// <summary>See schedules, who is on call and the shifts ahead.</summary>
    public const string OnCallView = "oncall.view";
    /// <summary>Create, change and delete schedules; add or remove anyone's overrides.</summary>
    public const string OnCallManage = "oncall.manage";
    /// <summary>Add or remove overrides that name oneself (take a colleague's shift).</summary>
    public const string OnCallOverrideSelf = "oncall.override_self";
    /// <summary>See incidents, their timelines, post-mortems and incident metrics.</summary>
    public const string IncidentsView = "incidents.view";
    /// <summary>Open, acknowledge, update, resolve and reopen incidents; add notes; edit post-mortems and action items.</summary>
    public const string IncidentsRespond = "incidents.respond";
    /// <summary>See SLOs, error budgets and burn rates.</summary>
    public const string SlosView = "slos.view";
    /// <summary>Create, change and delete SLOs defined through the API.</summary>
    public const string SlosManage = "slos.manage";
    /// <summary>Create and change status pages and their components through the API and console.</summary>
    public const string StatusPagesManage = "statuspages.manage";
    /// <summary>Read runbooks and their versions.</summary>
    public const string RunbooksView = "runbooks.view";
    /// <summary>Save new versions of runbooks made through the API and console.</summary>
    public const string RunbooksEdit = "runbooks.edit";
    /// <summary>See recurring tasks, their due times and completions, and their calendar feed.</summary>
    public const string TasksView = "tasks.view";
    /// <summary>Complete a task one is assigned (the assignee check is the endpoint's).</summary>
    public const string TasksComplete = "tasks.complete";
    /// <summary>Create and delete tasks through the API; complete anyone's task.</summary>
    public const string TasksManage = "tasks.manage";
    /// <summary>Take a backup of Vigil itself (<c>POST /api/system/backup</c>): its answer holds every secret of the server.</summary>
    public const string SystemBackup = "system.backup";
    /// <summary>See backup policies, their reported backups, retention, RPO and RTO.</summary>
    public const string BackupsView = "backups.view";
    /// <summary>Report a backup, a verification or a restore drill (<c>POST /api/backups/reports</c>): what backup jobs' tokens need.</summary>
    public const string BackupsReport = "backups.report";
    /// <summary>See deployments, their steps, gates and approvals.</summary>
    public const string DeploymentsView = "deployments.view";
    /// <summary>Record, start, finish and roll back deployments; tick their gates.</summary>
    public const string DeploymentsWrite = "deployments.write";
    /// <summary>Approve deployments to environments that require approval (never one's own when segregation of duties is on).</summary>
    public const string DeploymentsApprove = "deployments.approve";
    /// <summary>Start guided runs of runbooks, tick their steps, execute and approve their automated steps (never one's own request).</summary>
    public const string RunbooksRun = "runbooks.run";
    /// <summary>See expiring documents (certificates, contracts, domains) and their reminders.</summary>
    public const string DocumentsView = "documents.view";
    /// <summary>Create, update and delete expiring documents through the API and console.</summary>
    public const string DocumentsManage = "documents.manage";
    /// <summary>See imported billing data, spend per service and provider, budgets and the monthly cost report.</summary>
    public const string CostView = "cost.view";
    /// <summary>Import billing data (FOCUS CSV or a simple monthly list) through the API, CLI and console.</summary>
    public const string CostManage = "cost.manage";
    /// <summary>See dashboards and their panels' data, and export them.</summary>
    public const string DashboardsView = "dashboards.view";
    /// <summary>Create, change, import and delete dashboards.</summary>
    public const string DashboardsManage = "dashboards.manage";

    /// <summary>Held by super_admin only (the seeds' <c>'*'</c>): every permission, including ones added later, and granting super_admin.</summary>
    public const string Everything = "*";

    public static IReadOnlyList<string> All { get; } =
    [
        CatalogView, CatalogEdit, MonitorsView, MonitorsEdit, MetricsView, MetricsWrite, SystemView, ConfigReload, AccountSelf, AccessManage,
        AuditView, PersonalDataManage, AlertsView, AlertsSilence, NotificationsView, NotificationsTest, OnCallView, OnCallManage, OnCallOverrideSelf,
        IncidentsView, IncidentsRespond, SlosView, SlosManage, StatusPagesManage, SystemBackup, BackupsView, BackupsReport,
        RunbooksView, RunbooksEdit, TasksView, TasksComplete, TasksManage,
        DeploymentsView, DeploymentsWrite, DeploymentsApprove,
        RunbooksRun,
        DocumentsView, DocumentsManage,
        CostView, CostManage,
        DashboardsView, DashboardsManage,
    ];
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
            Permission.AlertsView, Permission.AlertsSilence, Permission.NotificationsView, Permission.NotificationsTest,
            Permission.OnCallView, Permission.OnCallManage, Permission.OnCallOverrideSelf,
            Permission.IncidentsView, Permission.IncidentsRespond, Permission.SlosView, Permission.SlosManage, Permission.StatusPagesManage,
            Permission.RunbooksView, Permission.RunbooksEdit, Permission.TasksView, Permission.TasksComplete, Permission.TasksManage,
            Permission.SystemBackup, Permission.BackupsView, Permission.BackupsReport,
            Permission.DeploymentsView, Permission.DeploymentsWrite, Permission.DeploymentsApprove,
            Permission.RunbooksRun,
            Permission.DocumentsView, Permission.DocumentsManage,
            Permission.CostView, Permission.CostManage,
            Permission.DashboardsView, Permission.DashboardsManage,
        ],
        [Role.Manager] =
        [
            Permission.CatalogView, Permission.CatalogEdit, Permission.MonitorsView, Permission.MonitorsEdit,
            Permission.MetricsView, Permission.SystemView, Permission.AccountSelf,
            Permission.AlertsView, Permission.AlertsSilence, Permission.NotificationsView, Permission.NotificationsTest,
            Permission.OnCallView, Permission.OnCallManage, Permission.OnCallOverrideSelf,
            Permission.IncidentsView, Permission.IncidentsRespond, Permission.SlosView, Permission.SlosManage, Permission.StatusPagesManage,
            Permission.RunbooksView, Permission.RunbooksEdit, Permission.TasksView, Permission.TasksComplete, Permission.TasksManage,
            Permission.BackupsView, Permission.BackupsReport,
            Permission.DeploymentsView, Permission.DeploymentsWrite, Permission.DeploymentsApprove,
            Permission.RunbooksRun,
            Permission.DocumentsView, Permission.DocumentsManage,
            Permission.CostView, Permission.CostManage,
            Permission.DashboardsView, Permission.DashboardsManage,
        ],
        // Operators pause and resume checks during incidents, silence alerts, take shifts, and
        // agents that push metrics (remote-write, imports) get operator tokens.
        [Role.Operator] =
        [
            Permission.CatalogView, Permission.MonitorsView, Permission.MonitorsEdit, Permission.MetricsView,
            Permission.MetricsWrite, Permission.SystemView, Permission.AccountSelf,
            Permission.AlertsView, Permission.AlertsSilence, Permission.NotificationsView, Permission.NotificationsTest,
            Permission.OnCallView, Permission.OnCallOverrideSelf,
            Permission.IncidentsView, Permission.IncidentsRespond, Permission.SlosView, Permission.BackupsView, Permission.BackupsReport,
            Permission.RunbooksView, Permission.RunbooksEdit, Permission.TasksView, Permission.TasksComplete,
            Permission.DeploymentsView, Permission.DeploymentsWrite,
            Permission.RunbooksRun,
            Permission.DocumentsView,
            Permission.CostView,
            Permission.DashboardsView,
        ],
        [Role.Viewer] =
        [
            Permission.CatalogView, Permission.MonitorsView, Permission.MetricsView, Permission.SystemView, Permission.AccountSelf,
            Permission.AlertsView, Permission.NotificationsView, Permission.OnCallView,
            Permission.IncidentsView, Permission.SlosView, Permission.BackupsView,
            Permission.RunbooksView, Permission.TasksView, Permission.TasksComplete,
            Permission.DeploymentsView,
            Permission.DocumentsView,
            Permission.CostView,
            Permission.DashboardsView,
        ],
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

/// <summary>
/// Marks a public endpoint whose caller proves itself with an integration token of its own
/// (<c>Authorization: Bearer</c> or a <c>routing_key</c>) that the endpoint checks: the header is
/// not read as a Vigil API token.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class IntegrationTokenAttribute : Attribute;

/// <summary>Marks an endpoint as answering anonymous callers on purpose (liveness, sign-in, public status page).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class PublicEndpointAttribute : Attribute;

public static class PermissionEndpointExtensions
{
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequirePermissionAttribute(permission));

    public static TBuilder AllowAnonymousCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicEndpointAttribute());

    /// <summary>Public at user level, authorised by an integration token the handler checks (see <see cref="IntegrationTokenAttribute"/>).</summary>
    public static TBuilder RequireIntegrationToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicEndpointAttribute(), new IntegrationTokenAttribute());
}
