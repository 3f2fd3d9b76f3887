using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.OnCall.Escalation;

namespace Vigil.Features.OnCall;

public static class OnCallModule
{
    public static IServiceCollection AddOnCall(this IServiceCollection services)
    {
        services.AddHttpClient(RefreshImportedCalendars.HttpClientName, c =>
        {
            c.Timeout = TimeSpan.FromSeconds(30);
            c.MaxResponseContentBufferSize = 10 * 1024 * 1024;
        }).ConfigurePrimaryHttpMessageHandler(() => Outbound.OutboundConnector.Handler(allowRedirects: true));
        return services
            .AddSingleton<ImportedCalendars>()
            .AddSingleton<IConfigConsumer, SyncSchedulesFromConfig>()
            // After the schedules are stored: it reads them from the database.
            .AddSingleton<RefreshImportedCalendars>()
            .AddSingleton<IConfigConsumer>(sp => sp.GetRequiredService<RefreshImportedCalendars>())
            .AddHostedService(sp => sp.GetRequiredService<RefreshImportedCalendars>())
            .AddSingleton<IConfigConsumer, SyncEscalationPoliciesFromConfig>()
            .AddSingleton<PageChannels>()
            .AddSingleton<IConfigConsumer>(sp => sp.GetRequiredService<PageChannels>())
            .AddSingleton<IChannelSource>(sp => sp.GetRequiredService<PageChannels>())
            .AddSingleton<PageLinks>()
            .AddSingleton<IPersonalDataHolder, OnCallPersonalData>()
            .AddSingleton<EscalationSignal>()
            .AddScoped<PageTargets>()
            .AddScoped<PageEscalation>()
            .AddScoped<IPaging>(sp => sp.GetRequiredService<PageEscalation>())
            .AddHostedService<EscalationLoop>();
    }

    public static IEndpointRouteBuilder MapOnCall(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/schedules").WithTags("On-call");
        api.MapGet("/", ReadSchedules.List).RequirePermission(Permission.OnCallView).WithName("ListSchedules");
        api.MapGet("/{name}", ReadSchedules.Get).RequirePermission(Permission.OnCallView).WithName("GetSchedule");
        api.MapGet("/{name}/shifts", ReadSchedules.Shifts).RequirePermission(Permission.OnCallView).WithName("ListScheduleShifts");
        api.MapPost("/", SaveSchedule.Create).RequirePermission(Permission.OnCallManage).WithName("CreateSchedule");
        api.MapPut("/{name}", SaveSchedule.Update).RequirePermission(Permission.OnCallManage).WithName("UpdateSchedule");
        api.MapDelete("/{name}", SaveSchedule.Delete).RequirePermission(Permission.OnCallManage).WithName("DeleteSchedule");
        api.MapPost("/{name}/overrides", AddOverride.Handle).RequirePermission(Permission.OnCallOverrideSelf).WithName("AddScheduleOverride");
        api.MapDelete("/{name}/overrides/{id:int}", AddOverride.Delete).RequirePermission(Permission.OnCallOverrideSelf).WithName("DeleteScheduleOverride");
        api.MapPost("/{name}/feed", ExportCalendar.CreateToken).RequirePermission(Permission.OnCallManage).WithName("CreateScheduleFeed");
        // Calendar apps cannot send bearer headers: the feed is authorised by the secret token in its URL.
        api.MapGet("/{name}/calendar.ics", ExportCalendar.Feed).AllowAnonymousCaller().WithName("ScheduleCalendarFeed");
        var policies = app.MapGroup("/api/escalation-policies").WithTags("On-call");
        policies.MapGet("/", SaveEscalationPolicy.List).RequirePermission(Permission.OnCallView).WithName("ListEscalationPolicies");
        policies.MapGet("/{name}", SaveEscalationPolicy.Get).RequirePermission(Permission.OnCallView).WithName("GetEscalationPolicy");
        policies.MapPost("/", SaveEscalationPolicy.Create).RequirePermission(Permission.OnCallManage).WithName("CreateEscalationPolicy");
        policies.MapPut("/{name}", SaveEscalationPolicy.Update).RequirePermission(Permission.OnCallManage).WithName("UpdateEscalationPolicy");
        policies.MapDelete("/{name}", SaveEscalationPolicy.Delete).RequirePermission(Permission.OnCallManage).WithName("DeleteEscalationPolicy");
        var pages = app.MapGroup("/api/pages").WithTags("On-call");
        pages.MapGet("/", RespondToPage.List).RequirePermission(Permission.OnCallView).WithName("ListPages");
        pages.MapPost("/{subject}/ack", RespondToPage.Acknowledge).RequirePermission(Permission.IncidentsRespond).WithName("AcknowledgePage");
        pages.MapPost("/{subject}/resolve", RespondToPage.Resolve).RequirePermission(Permission.IncidentsRespond).WithName("ResolvePage");
        // The links in a page are followed from a phone's mail or chat app, signed in nowhere: the signed, expiring token is the authorisation.
        app.MapGet("/respond/{token}", RespondToPage.ShowLink).AllowAnonymousCaller().WithTags("On-call").WithName("ShowPageLink");
        app.MapPost("/respond/{token}", RespondToPage.FollowLink).AllowAnonymousCaller().WithTags("On-call").WithName("FollowPageLink").DisableAntiforgery();
        // Own contact methods with account.self; the handlers require oncall.manage for someone else's.
        var contacts = app.MapGroup("/api/users/{username}").WithTags("On-call");
        contacts.MapGet("/contact-methods", SaveContactMethods.Get).RequirePermission(Permission.AccountSelf).WithName("GetContactMethods");
        contacts.MapPost("/contact-methods", SaveContactMethods.Add).RequirePermission(Permission.AccountSelf).WithName("AddContactMethod");
        contacts.MapDelete("/contact-methods/{id:int}", SaveContactMethods.Remove).RequirePermission(Permission.AccountSelf).WithName("RemoveContactMethod");
        contacts.MapPut("/notification-rules", SaveContactMethods.SetRules).RequirePermission(Permission.AccountSelf).WithName("SetNotificationRules");
        contacts.MapPost("/feed", ExportUserCalendar.CreateToken).RequirePermission(Permission.AccountSelf).WithName("CreateUserFeed");
        // As a schedule's feed: calendar apps send no bearer header, the secret in the URL authorises.
        contacts.MapGet("/calendar.ics", ExportUserCalendar.Feed).AllowAnonymousCaller().WithName("UserCalendarFeed");
        app.MapGet("/api/oncall", WhoIsOnCall.Handle).RequirePermission(Permission.OnCallView).WithTags("On-call").WithName("WhoIsOnCall");
        return app;
    }
}
