using Vigil.Configuration;

namespace Vigil.Features.Outbound;

/// <summary>
/// <c>vigil config check</c> and every load: the <c>outbound:</c> section, and every address in the
/// file that Vigil would connect to (monitors, channels, contacts, calendar feeds, scrape targets,
/// the dead man's switch) checked against it before any name is resolved.
/// </summary>
public static class OutboundRules
{
    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        foreach (var error in OutboundPolicy.ValidateSettings(config.Outbound, "outbound."))
        {
            yield return error;
        }
        var policy = OutboundPolicy.From(config.Outbound);
        foreach (var (path, reason) in Destinations(config).Select(d => (d.Path, Reason: d.IsUrl ? policy.RefuseUrl(d.Value) : policy.RefuseHost(HostOf(d.Value)))))
        {
            if (reason is not null)
            {
                yield return new FieldError(path, reason);
            }
        }
    }

    /// <summary>The host of a <c>host:port</c> target (<c>[::1]:9090</c> too).</summary>
    public static string HostOf(string target) =>
        Uri.TryCreate("tcp://" + target, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) ? uri.Host : target;

    private static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(VigilConfig config)
    {
        for (var i = 0; i < config.Monitors.Count; i++)
        {
            foreach (var destination in Monitor(config.Monitors[i], $"monitors[{i}]."))
            {
                yield return destination;
            }
        }
        for (var i = 0; i < config.Channels.Count; i++)
        {
            if (config.Channels[i].Url is { } url)
            {
                yield return ($"channels[{i}].url", url, true);
            }
        }
        for (var i = 0; i < config.Contacts.Count; i++)
        {
            var contact = config.Contacts[i];
            if (contact.Slack is { } slack)
            {
                yield return ($"contacts[{i}].slack", slack, true);
            }
            if (contact.Webhook is { } webhook)
            {
                yield return ($"contacts[{i}].webhook", webhook, true);
            }
        }
        for (var i = 0; i < config.Schedules.Count; i++)
        {
            var layers = config.Schedules[i].Layers ?? [];
            for (var j = 0; j < layers.Count; j++)
            {
                if (layers[j].Url is { } url)
                {
                    yield return ($"schedules[{i}].layers[{j}].url", url, true);
                }
            }
        }
        for (var i = 0; i < config.Metrics.ScrapeConfigs.Count; i++)
        {
            var statics = config.Metrics.ScrapeConfigs[i].StaticConfigs;
            for (var j = 0; j < statics.Count; j++)
            {
                for (var k = 0; k < statics[j].Targets.Count; k++)
                {
                    yield return ($"metrics.scrape_configs[{i}].static_configs[{j}].targets[{k}]", statics[j].Targets[k], false);
                }
            }
        }
        for (var i = 0; i < config.Services.Count; i++)
        {
            var environments = config.Services[i].Environments ?? [];
            for (var j = 0; j < environments.Count; j++)
            {
                if (environments[j].Metrics?.Target is { } target)
                {
                    yield return ($"services[{i}].environments[{j}].metrics.target", target, false);
                }
            }
        }
        if (config.Notifications.DeadMansSwitch?.Url is { } deadMan)
        {
            yield return ("notifications.dead_mans_switch.url", deadMan, true);
        }
    }

    /// <summary>The addresses a monitor connects to, by path (for the API too, with an empty prefix).</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Monitor(Monitors.MonitorDefinition monitor, string prefix)
    {
        if (monitor.Url is { } url)
        {
            yield return ($"{prefix}url", url, true);
        }
        if (monitor.Host is { } host)
        {
            yield return ($"{prefix}host", host, false);
        }
        var steps = monitor.Steps ?? [];
        for (var j = 0; j < steps.Count; j++)
        {
            // A step URL may be built from extracted values (${host}); the check at request time covers those.
            if (steps[j].Url is { } stepUrl && !stepUrl.Contains("${", StringComparison.Ordinal))
            {
                yield return ($"{prefix}steps[{j}].url", stepUrl, true);
            }
        }
    }

    /// <summary>The refusals for a monitor about to be saved through the API, as field errors.</summary>
    public static IEnumerable<FieldError> ValidateMonitor(Monitors.MonitorDefinition monitor, OutboundPolicy policy) =>
        Monitor(monitor, "")
            .Select(d => (d.Path, Reason: d.IsUrl ? policy.RefuseUrl(d.Value) : policy.RefuseHost(HostOf(d.Value))))
            .Where(d => d.Reason is not null)
            .Select(d => new FieldError(d.Path, d.Reason!));
}

/// <summary>The outbound checks of API bodies, as field errors named like the body's fields.</summary>
public static class OutboundApiRules
{
    public static IEnumerable<FieldError> Schedule(OnCall.ScheduleDefinition schedule, OutboundPolicy policy)
    {
        var layers = schedule.Layers ?? [];
        for (var j = 0; j < layers.Count; j++)
        {
            if (policy.RefuseUrl(layers[j].Url) is { } reason)
            {
                yield return new FieldError($"layers[{j}].url", reason);
            }
        }
    }

    public static IEnumerable<FieldError> Service(Catalog.ServiceDefinition service, OutboundPolicy policy)
    {
        var environments = service.Environments ?? [];
        for (var j = 0; j < environments.Count; j++)
        {
            if (environments[j].Metrics?.Target is { } target && policy.RefuseHost(OutboundRules.HostOf(target)) is { } reason)
            {
                yield return new FieldError($"environments[{j}].metrics.target", reason);
            }
        }
    }
}
