using Vigil.Features.Access;

namespace Vigil.Features.Backups;

/// <summary>Backups: policies with their RPO, RTO and retention, and Vigil's own backup (<c>vigil backup create|restore</c>).</summary>
public static class BackupsModule
{
    public static IServiceCollection AddBackups(this IServiceCollection services) =>
        services.AddScoped<Monitors.Heartbeats.IPingBodyReader, ReportByPing>()
            .AddHostedService<CheckBackups>();

    public static IEndpointRouteBuilder MapBackups(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/system/backup", CreateVigilBackup.Handle).RequirePermission(Permission.SystemBackup).WithTags("Backups").WithName("CreateVigilBackup");
        app.MapGet("/api/backups/policies", ListBackupPolicies.Handle).RequirePermission(Permission.BackupsView).WithTags("Backups").WithName("ListBackupPolicies");
        app.MapGet("/api/backups/policies/{name}", DescribeBackupPolicy.Handle).RequirePermission(Permission.BackupsView).WithTags("Backups").WithName("DescribeBackupPolicy");
        app.MapPost("/api/backups/policies/{name}/drills", RecordRestoreDrill.Handle).RequirePermission(Permission.BackupsReport).WithTags("Backups").WithName("RecordRestoreDrill");
        app.MapGet("/api/backups/policies/{name}/reports", ListBackupReports.Handle).RequirePermission(Permission.BackupsView).WithTags("Backups").WithName("ListBackupReports");
        app.MapPost("/api/backups/reports", ReceiveBackupReport.Handle).RequirePermission(Permission.BackupsReport).WithTags("Backups").WithName("ReportBackup");
        return app;
    }
}
