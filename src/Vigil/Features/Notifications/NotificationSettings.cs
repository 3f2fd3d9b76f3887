namespace Vigil.Features.Notifications;

/// <summary>The <c>notifications:</c> section of vigil.yaml: delivery (retries, deadline), the Watchdog and the outgoing dead-man's-switch heartbeat.</summary>
public sealed class NotificationSettings;
