using Vigil.Data;

namespace Vigil.Features.Cluster;

public static class ClusterModule
{
    /// <summary>Membership and leases: on PostgreSQL replicas share the loops; on SQLite every lease is held.</summary>
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        services.AddSingleton(sp => new LeaseStore(sp.GetRequiredService<DatabaseSettings>(), NewMemberId()));
        services.AddSingleton<ClusterMembership>();
        services.AddSingleton<Configuration.IConfigConsumer>(sp => sp.GetRequiredService<ClusterMembership>());
        services.AddSingleton<Server.IReplicaDirectory>(sp => sp.GetRequiredService<ClusterMembership>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMembership>());
        services.AddSingleton<ReadCluster>();
        services.AddSingleton<Server.ISystemSection>(sp => sp.GetRequiredService<ReadCluster>());
        return services;
    }

    private static string NewMemberId() => $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
}
