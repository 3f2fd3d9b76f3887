using Vigil.Features.Alerting;
using Vigil.Metrics;

namespace Vigil.Features.Notifications.Delivery;

/// <summary>
/// Who watches the watcher, from inside: with <c>notifications.watchdog: true</c> an always-firing
/// <c>Watchdog</c> alert goes through routing every minute (the kube-prometheus convention), so a
/// receiver that stops getting it knows the alerting pipeline is broken.
/// </summary>
public sealed class WatchdogLoop(ChannelDirectory directory, IAlertIngest ingest, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<WatchdogLoop> logger) : BackgroundService
{
    /// <summary>Over several replicas only this lease's holder puts the alert.</summary>
    public const string Lease = "notifications/watchdog";

    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    public static IncomingAlert Alert(DateTimeOffset now) => new(
        Labels.From([new("alertname", "Watchdog"), new("severity", "none")]),
        Labels.From([new("summary", "An alert that should always be firing, to certify that the alerting pipeline works"),
            new("description", "This alert is always firing. When a receiver stops getting it, Vigil's alerting is broken.")]),
        null,
        // Resolves by itself three periods after the last put: what stops arriving ends.
        now + 3 * Period, "", "vigil");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (directory.Settings.Watchdog)
            {
                try
                {
                    await cluster.RunUnderLeaseAsync(Lease, token => ingest.PutAsync([Alert(clock.GetUtcNow())], token), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Putting the Watchdog alert failed");
                }
            }
            try
            {
                await Task.Delay(Period, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>
/// Who watches the watcher, from outside: with <c>notifications.dead_mans_switch</c> Vigil calls
/// the URL every interval (healthchecks.io, Cronitor, a Dead Man's Snitch), which alerts when the
/// calls stop — when Vigil, its host or its network is down.
/// </summary>
public sealed class DeadMansSwitchLoop(ChannelDirectory directory, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<DeadMansSwitchLoop> logger) : BackgroundService
{
    /// <summary>Over several replicas one of them calls (the holder of this lease): the switch then says "the cluster is up".</summary>
    public const string Lease = "notifications/dead-mans-switch";

    private static readonly HttpClient Client = new(Outbound.OutboundConnector.Handler(allowRedirects: true)) { Timeout = Timeout.InfiniteTimeSpan };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = directory.Settings.DeadMansSwitch;
            if (settings?.Url is { } url)
            {
                await cluster.RunUnderLeaseAsync(Lease, token => PingAsync(url, settings.Method, settings.Interval, token), stoppingToken);
            }
            try
            {
                await Task.Delay(settings?.Interval ?? TimeSpan.FromMinutes(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PingAsync(string url, string method, TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(interval, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            request.Headers.UserAgent.ParseAdd(Channels.ChannelHttp.UserAgent);
            using var response = await Client.SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Dead man's switch {Url} answered {Status}", url, (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            logger.LogWarning("Dead man's switch {Url} could not be called: {Error}", url, e.Message);
        }
    }
}
