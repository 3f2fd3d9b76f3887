using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Vigil.Configuration;
using Vigil.Data;

namespace Vigil.Features.Access;

public static class AccessModule
{
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<TokenLookups>();
        services.AddDataProtection()
            .SetApplicationName("vigil")
            .PersistKeysToDbContext<VigilDbContext>();
        services.AddAuthentication(ResolveCaller.Scheme).AddCookie(ResolveCaller.Scheme);
        services.AddOptions<CookieAuthenticationOptions>(ResolveCaller.Scheme).Configure<ConfigReloader, TimeProvider>((o, config, clock) =>
        {
            o.Cookie.Name = "vigil_session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // Read once, at the first sign-in after start.
            o.ExpireTimeSpan = config.Current.Config.Access.SessionTimeout;
            o.SlidingExpiration = true;
            o.TimeProvider = clock;
            // The cookie's own expiry is fixed when it is issued; the server decides with the
            // session_timeout in force now, so lowering it also shortens sessions already open.
            o.Events.OnValidatePrincipal = context =>
            {
                var timeout = config.Current.Config.Access.SessionTimeout;
                switch (SessionWindow.Decide(context.Properties.IssuedUtc, clock.GetUtcNow(), timeout))
                {
                    case SessionVerdict.Expired:
                        context.RejectPrincipal();
                        break;
                    case SessionVerdict.Renew:
                        context.ShouldRenew = true;
                        break;
                }
                return Task.CompletedTask;
            };
        });
        services.AddScoped<AuditLog>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<ArchiveAuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<ArchiveAuditLog>());
        return services;
    }

    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signout", SignOut.Handle).AllowAnonymousCaller().WithMetadata(new RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();

        var api = app.MapGroup("/api").WithTags("Access");
        api.MapGet("/me", ListUsers.HandleMe).RequirePermission(Permission.AccountSelf);
        api.MapGet("/users", ListUsers.Handle).RequirePermission(Permission.AccessManage);
        api.MapPost("/users", CreateUser.Handle).RequirePermission(Permission.AccessManage);
        api.MapGet("/users/{id:int}", ListUsers.HandleOne).RequirePermission(Permission.AccessManage);
        api.MapPut("/users/{id:int}/roles", SetUserRoles.Handle).RequirePermission(Permission.AccessManage);
        api.MapGet("/users/{id:int}/export", PersonalData.HandleExport).RequirePermission(Permission.PersonalDataManage);
        api.MapDelete("/users/{id:int}", PersonalData.HandleErase).RequirePermission(Permission.PersonalDataManage);
        api.MapGet("/tokens", ListTokens.Handle).RequirePermission(Permission.AccountSelf);
        api.MapPost("/tokens", CreateToken.Handle).RequirePermission(Permission.AccountSelf);
        api.MapDelete("/tokens/{id:int}", RevokeToken.Handle).RequirePermission(Permission.AccountSelf);
        api.MapGet("/audit", QueryAuditLog.Handle).RequirePermission(Permission.AuditView);
        api.MapGet("/audit/export.csv", QueryAuditLog.HandleCsv).RequirePermission(Permission.AuditView);
        return app;
    }
}
