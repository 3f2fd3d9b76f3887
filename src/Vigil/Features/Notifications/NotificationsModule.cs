using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Notifications.Delivery;

namespace Vigil.Features.Notifications;

public static class NotificationsModule
{
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddSingleton<ChannelDirectory>();
        services.AddSingleton<IConfigConsumer>(sp => sp.GetRequiredService<ChannelDirectory>());
        services.AddSingleton<INotificationChannel, WebhookChannel>();
        services.AddSingleton<INotificationChannel, SlackChannel>();
        services.AddSingleton<INotificationChannel, PagerDutyChannel>();
        services.AddSingleton<INotificationChannel, EmailChannel>();
        services.AddSingleton<INotificationChannel, SmsChannel>();
        services.AddSingleton<INotificationChannel, TeamsChannel>();
        services.AddSingleton<ChannelFailureAlerts>();
        // Jitter only needs to differ between messages; tests replace it with a seeded one.
        services.AddSingleton(sp => new OutboxSender(
            sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<ChannelDirectory>(), sp.GetServices<INotificationChannel>(),
            sp.GetRequiredService<ChannelFailureAlerts>(), sp.GetRequiredService<Cluster.ClusterMembership>(), sp.GetRequiredService<Data.WriteTurn>(), sp.GetRequiredService<TimeProvider>(), sp.GetKeyedService<Random>("notifications") ?? Random.Shared,
            sp.GetRequiredService<ILogger<OutboxSender>>()));
        services.AddHostedService(sp => sp.GetRequiredService<OutboxSender>());
        services.AddHostedService<WatchdogLoop>();
        services.AddSingleton<Hosting.IHistoryPruner, PruneNotificationHistory>();
        services.AddHostedService<DeadMansSwitchLoop>();
        return services;
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/api/channels").WithTags("Notifications");
        channels.MapGet("/", ReadChannels.List).RequirePermission(Permission.NotificationsView).WithName("ListChannels");
        channels.MapPost("/{name}/test", TestChannel.Handle).RequirePermission(Permission.NotificationsTest).WithName("TestChannel");
        app.MapGet("/api/notifications", ReadNotifications.List).RequirePermission(Permission.NotificationsView).WithTags("Notifications").WithName("ListNotifications");
        return app;
    }
}
