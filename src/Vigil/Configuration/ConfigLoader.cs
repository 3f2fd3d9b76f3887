using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Configuration;

/// <summary>A parsed configuration and every problem found in it; usable only when there are none.</summary>
public sealed record LoadedConfig(VigilConfig Config, IReadOnlyList<ConfigError> Errors, string? Path, string Fingerprint)
{
    public bool IsValid => Errors.Count == 0;

    public static LoadedConfig Empty { get; } = new(new VigilConfig(), [], null, "");

    /// <summary>The line each object of <see cref="Config"/> was written on, by identity (see <see cref="LineOf"/>).</summary>
    public IReadOnlyDictionary<object, int> Lines { get; init; } = new Dictionary<object, int>();

    /// <summary>
    /// Where a definition taken from <see cref="Config"/> was written, as "vigil.yaml line 12", for the
    /// console to show beside an object it will not edit; null for an object not read from the file.
    /// </summary>
    public string? DefinedAt(object? definition) =>
        definition is not null && Path is not null && Lines.TryGetValue(definition, out var line) ? $"{System.IO.Path.GetFileName(Path)} line {line}" : null;
}

/// <summary>
/// Reads <c>vigil.yaml</c>, applies <c>VIGIL_SECTION__KEY</c> environment overrides, binds it to
/// <see cref="VigilConfig"/> and validates it, reporting every error as <c>file:line:column: reason</c>.
/// </summary>
public static class ConfigLoader
{
    public const string EnvironmentPrefix = "VIGIL_";

    /// <param name="listen">The addresses Vigil listens on, for <c>${VIGIL_URL}</c> and the default external URL
    /// (<c>vigil serve</c> passes its <c>--urls</c>); else <c>VIGIL_URLS</c>, the file's <c>server.listen</c> or the default.</param>
    public static LoadedConfig Load(string path, IDictionary? environment = null, string? listen = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LoadedConfig(new VigilConfig(), [new ConfigError(path, 0, 0, $"cannot read: {e.Message}")], path, "");
        }
        return Parse(path, text, environment ?? Environment.GetEnvironmentVariables(), listen);
    }

    public static LoadedConfig Parse(string file, string text, IDictionary environment, string? listen = null)
    {
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        YamlStream stream;
        try
        {
            stream = YamlText.Load(text);
        }
        catch (YamlException e)
        {
            var reason = YamlText.Reason(e);
            return new LoadedConfig(new VigilConfig(), [new ConfigError(file, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {reason}")], file, fingerprint);
        }
        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : new YamlMappingNode();
        var binder = new YamlBinder(file);
        if (root is YamlMappingNode mapping)
        {
            ApplyEnvironment(mapping, environment, binder);
        }
        var urls = listen ?? SelfAddress.Resolve(root, environment);
        SelfAddress.Substitute(root, urls);
        var config = binder.Bind<VigilConfig>(root);
        ApplyExternalUrl(config, SelfAddress.Url(urls));
        ResolveFiles(config, Path.GetDirectoryName(Path.GetFullPath(file))!);
        // A value the binder could not read is reported once: later rules would only restate it
        // ("kettle" is not a kind, so the dependency "needs a kind").
        var errors = new List<ConfigError>(binder.Errors);
        var reported = errors.Select(e => (e.File, e.Line, e.Column)).ToHashSet();
        errors.AddRange(Validate(config).Select(binder.Locate).Where(e => !reported.Contains((e.File, e.Line, e.Column))));
        errors.AddRange(Features.Alerting.Rules.LoadRuleGroups.Load(config.Alerting, file));
        errors.AddRange(Features.Runbooks.LoadRunbooks.Load(config.Runbooks, file));
        errors.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column));
        return new LoadedConfig(config, errors, file, fingerprint) { Lines = binder.Lines };
    }

    /// <summary>
    /// One base for every link Vigil sends (webhook <c>externalURL</c> and <c>generatorURL</c>, page and
    /// incident links): <c>server.external_url</c>, else the first listen address. The older per-section
    /// keys (<c>alerting.external_url</c>, <c>routing.external_url</c>, <c>paging.external_url</c>,
    /// <c>incidents.external_url</c>) are deprecated aliases: the first one set stands in for
    /// <c>server.external_url</c>, and each still wins in its own section.
    /// </summary>
    private static void ApplyExternalUrl(VigilConfig config, string self)
    {
        var given = new[] { config.Server.ExternalUrl, config.Alerting.ExternalUrl, config.Routing.ExternalUrl, config.Paging.ExternalUrl, config.Incidents.ExternalUrl }
            .FirstOrDefault(url => !string.IsNullOrWhiteSpace(url))?.TrimEnd('/');
        // An invalid one is reported where it is written, once; the other sections keep the default meanwhile.
        var external = given is not null && Uri.TryCreate(given, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? given : self;
        config.Server.ExternalUrl = string.IsNullOrWhiteSpace(config.Server.ExternalUrl) ? external : config.Server.ExternalUrl;
        config.Alerting.ExternalUrl = string.IsNullOrWhiteSpace(config.Alerting.ExternalUrl) ? external : config.Alerting.ExternalUrl;
        config.Routing.ExternalUrl = string.IsNullOrWhiteSpace(config.Routing.ExternalUrl) ? external : config.Routing.ExternalUrl;
        config.Paging.ExternalUrl = string.IsNullOrWhiteSpace(config.Paging.ExternalUrl) ? external : config.Paging.ExternalUrl;
        config.Incidents.ExternalUrl = string.IsNullOrWhiteSpace(config.Incidents.ExternalUrl) ? external : config.Incidents.ExternalUrl;
    }

    /// <summary>As in prometheus.yml, a relative secret (or calendar) file path is taken from the config file's directory.</summary>
    private static void ResolveFiles(VigilConfig config, string directory)
    {
        string? At(string? path) => path is null ? null : Path.Combine(directory, path);
        foreach (var integration in config.Alerting.Integrations)
        {
            integration.TokenFile = At(integration.TokenFile);
        }
        foreach (var channel in config.Channels)
        {
            channel.UrlFile = At(channel.UrlFile);
            channel.RoutingKeyFile = At(channel.RoutingKeyFile);
            channel.AuthPasswordFile = At(channel.AuthPasswordFile);
            channel.AuthTokenFile = At(channel.AuthTokenFile);
            channel.BearerTokenFile = At(channel.BearerTokenFile);
        }
        foreach (var layer in config.Schedules.SelectMany(s => s.Layers ?? []))
        {
            layer.File = At(layer.File);
        }
        var clients = config.Metrics.ScrapeConfigs.Select(j => (Authorization: j.Authorization, BasicAuth: j.BasicAuth))
            .Concat(config.Metrics.RemoteWrite.Select(r => (Authorization: r.Authorization, BasicAuth: r.BasicAuth)))
            .Append((Authorization: config.Metrics.QueryAuthorization, BasicAuth: config.Metrics.QueryBasicAuth));
        foreach (var job in clients)
        {
            if (job.Authorization is { } authorization)
            {
                authorization.CredentialsFile = At(authorization.CredentialsFile);
            }
            if (job.BasicAuth is { } basicAuth)
            {
                basicAuth.PasswordFile = At(basicAuth.PasswordFile);
            }
        }
    }

    /// <summary>Rules that span the whole file (names unique, references resolve), after binding.</summary>
    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        var names = new HashSet<string>(config.Services.Where(s => s.Name is not null).Select(s => s.Name!), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Services.Count; i++)
        {
            var service = config.Services[i];
            if (service.Name is not null && !seen.Add(service.Name))
            {
                yield return new FieldError($"services[{i}].name", $"duplicate service name \"{service.Name}\"");
            }
            foreach (var error in ServiceRules.Validate(service, $"services[{i}].", names.Contains))
            {
                yield return error;
            }
        }
        // One line per area: each validates its own section (and its references into others).
        IEnumerable<FieldError>[] areas =
        [
            Features.Metrics.ScrapeSettingsRules.Validate(config.Metrics),
            MonitorConfigRules.Validate(config),
            Features.Alerting.Rules.LoadRuleGroups.Validate(config.Alerting),
            Features.Alerting.Inbound.IntegrationTokens.Validate(config.Alerting.Integrations),
            Features.Alerting.Routing.RoutingRules.Validate(config),
            Features.Alerting.Maintenance.SyncMaintenanceFromConfig.Validate(config),
            Features.OnCall.ScheduleRules.ValidateConfig(config.Schedules),
            Features.OnCall.Escalation.EscalationRules.ValidateConfig(config),
            AccessRules.Validate(config.Access, "access."),
            Features.Notifications.Channels.ChannelRules.Validate(config),
            Features.StatusPage.StatusPageRules.ValidateConfig(config),
            Features.Slos.SloRules.ValidateConfig(config),
            Features.Incidents.IncidentConfigRules.Validate(config),
            // Each area lists the addresses it would connect to; the outbound policy checks them.
            Features.Outbound.OutboundRules.Validate(config.Outbound, [
                .. MonitorConfigRules.Destinations(config),
                .. Features.Notifications.Channels.ChannelRules.Destinations(config),
                .. Features.OnCall.Escalation.EscalationRules.ContactDestinations(config),
                .. Features.OnCall.ScheduleRules.Destinations(config),
                .. Features.Metrics.ScrapeSettingsRules.Destinations(config.Metrics),
                .. ServiceRules.Destinations(config),
                .. Features.Notifications.Channels.ChannelRules.DeadMansSwitchDestinations(config),
            ]),
            Features.Server.ForwardedHeaders.Validate(config.Server),
            Features.Cluster.ClusterRules.Validate(config),
            Features.Runbooks.LoadRunbooks.Validate(config.Runbooks),
            Features.Tasks.TaskRules.ValidateConfig(config),
            Features.Backups.BackupPolicyRules.ValidateConfig(config),
            Features.Deployments.DeploymentConfigRules.Validate(config),
            Features.Documents.DocumentRules.ValidateConfig(config),
            Features.Cost.CostConfigRules.Validate(config),
            Features.Capacity.CapacityRules.ValidateConfig(config),
        ];
        foreach (var error in areas.SelectMany(area => area))
        {
            yield return error;
        }
        if (config.Server.ExternalUrl is { Length: > 0 } externalUrl && !(Uri.TryCreate(externalUrl, UriKind.Absolute, out var external) && external.Scheme is "http" or "https"))
        {
            yield return new FieldError("server.external_url", $"\"{externalUrl}\" is not an absolute http(s) URL");
        }
        if (config.Server.Tls is { } tls)
        {
            if (string.IsNullOrWhiteSpace(tls.Certificate))
            {
                yield return new FieldError("server.tls.certificate", "a certificate file (PEM or PFX) is required when tls is set");
            }
            else if (!File.Exists(tls.Certificate))
            {
                yield return new FieldError("server.tls.certificate", $"no such file: {tls.Certificate}");
            }
            if (tls.Key is not null && !File.Exists(tls.Key))
            {
                yield return new FieldError("server.tls.key", $"no such file: {tls.Key}");
            }
        }
    }

    /// <summary>
    /// <c>VIGIL_SERVER__LISTEN=http://0.0.0.0:8080</c> sets <c>server.listen</c>: a double underscore
    /// separates levels, names are lowercased. Variables without <c>__</c> are flags, not config paths.
    /// </summary>
    private static void ApplyEnvironment(YamlMappingNode root, IDictionary environment, YamlBinder binder)
    {
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is not string name || !name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) || !name.Contains("__", StringComparison.Ordinal))
            {
                continue;
            }
            var keys = name[EnvironmentPrefix.Length..].ToLowerInvariant().Split("__");
            var node = root;
            for (var i = 0; i < keys.Length - 1; i++)
            {
                if (!node.Children.TryGetValue(new YamlScalarNode(keys[i]), out var child) || child is not YamlMappingNode childMapping)
                {
                    childMapping = new YamlMappingNode();
                    node.Children[new YamlScalarNode(keys[i])] = childMapping;
                }
                node = childMapping;
            }
            node.Children[new YamlScalarNode(keys[^1])] = new YamlScalarNode((string?)entry.Value ?? "");
            binder.EnvironmentPaths[string.Join('.', keys)] = name;
        }
    }
}
