using Vigil.Features.Access;

namespace Vigil.Features.Documents;

/// <summary>Expiring documents (certificates of compliance, contracts, domains) and their reminders through routing.</summary>
public static class DocumentsModule
{
    public static IServiceCollection AddDocuments(this IServiceCollection services) => services.AddHostedService<CheckDocuments>();

    public static IEndpointRouteBuilder MapDocuments(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/documents", ManageDocuments.List).RequirePermission(Permission.DocumentsView).WithTags("Documents").WithName("ListDocuments");
        app.MapGet("/api/documents/{name}", ManageDocuments.Get).RequirePermission(Permission.DocumentsView).WithTags("Documents").WithName("GetDocument");
        app.MapPost("/api/documents", ManageDocuments.Create).RequirePermission(Permission.DocumentsManage).WithTags("Documents").WithName("CreateDocument");
        app.MapPut("/api/documents/{name}", ManageDocuments.Update).RequirePermission(Permission.DocumentsManage).WithTags("Documents").WithName("UpdateDocument");
        app.MapDelete("/api/documents/{name}", ManageDocuments.Delete).RequirePermission(Permission.DocumentsManage).WithTags("Documents").WithName("DeleteDocument");
        return app;
    }
}
