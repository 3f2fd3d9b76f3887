using System.Net.Mail;
using Vigil.Configuration;
using Vigil.Features.Templates;

namespace Vigil.Features.Notifications.Channels;

/// <summary>Validation of <c>channels:</c> and <c>notifications:</c>, reported as <c>file:line:col: reason</c>.</summary>
public static class ChannelRules
{
    public static readonly string[] Types = ["slack", "pagerduty", "email", "sms", "teams", "webhook"];

    /// <summary>The channels' URLs, for the outbound policy.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(VigilConfig config) =>
        config.Channels.Select((channel, i) => (Path: $"channels[{i}].url", Value: channel.Url!, IsUrl: true)).Where(d => d.Value is not null);

    /// <summary>The dead man's switch's URL, for the outbound policy.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> DeadMansSwitchDestinations(VigilConfig config) =>
        config.Notifications.DeadMansSwitch?.Url is { } url ? [("notifications.dead_mans_switch.url", url, true)] : [];

    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        var names = config.Channels.Where(c => c.Name is not null).Select(c => c.Name!).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Channels.Count; i++)
        {
            var channel = config.Channels[i];
            var at = $"channels[{i}].";
            if (string.IsNullOrWhiteSpace(channel.Name))
            {
                yield return new FieldError(at + "name", "a channel needs a name");
            }
            else if (!seen.Add(channel.Name))
            {
                yield return new FieldError(at + "name", $"duplicate channel name \"{channel.Name}\"");
            }
            if (channel.Type is null || !Types.Contains(channel.Type))
            {
                yield return new FieldError(at + "type", $"unknown channel type \"{channel.Type}\"; one of {string.Join(", ", Types)}");
                continue;
            }
            foreach (var error in ValidateType(channel, at))
            {
                yield return error;
            }
            if (channel.Fallback is { } fallback && (!names.Contains(fallback) || fallback == channel.Name))
            {
                yield return new FieldError(at + "fallback", fallback == channel.Name ? "a channel cannot be its own fallback" : $"no channel named \"{fallback}\"");
            }
            if (channel.RateLimit < 0)
            {
                yield return new FieldError(at + "rate_limit", "must be 0 (no limit) or more messages per minute");
            }
            if (channel.Timeout <= TimeSpan.Zero)
            {
                yield return new FieldError(at + "timeout", "must be positive");
            }
            foreach (var (key, template) in new[] { ("title", channel.Title), ("text", channel.Text) })
            {
                if (template is not null && TemplateError(template) is { } reason)
                {
                    yield return new FieldError(at + key, $"template does not compile: {reason}");
                }
                else if (template is not null && ChannelText.RenderError(key, template) is { } failure)
                {
                    yield return new FieldError(at + key, $"template fails on a sample notification: {failure}");
                }
            }
        }
        var settings = config.Notifications;
        if (settings.InitialBackoff <= TimeSpan.Zero)
        {
            yield return new FieldError("notifications.initial_backoff", "must be positive");
        }
        if (settings.MaxBackoff < settings.InitialBackoff)
        {
            yield return new FieldError("notifications.max_backoff", "must not be shorter than initial_backoff");
        }
        if (settings.RetryDeadline <= TimeSpan.Zero)
        {
            yield return new FieldError("notifications.retry_deadline", "must be positive");
        }
        if (settings.HistoryRetention < settings.RetryDeadline || settings.HistoryRetention < TimeSpan.FromDays(1))
        {
            yield return new FieldError("notifications.history_retention", "must be at least 1d and not shorter than retry_deadline");
        }
        if (settings.FailingAfter < 1)
        {
            yield return new FieldError("notifications.failing_after", "must be at least 1");
        }
        if (settings.DeadMansSwitch is { } dms)
        {
            if (!IsHttpUrl(dms.Url))
            {
                yield return new FieldError("notifications.dead_mans_switch.url", "an http or https URL is required");
            }
            if (dms.Interval < TimeSpan.FromSeconds(1))
            {
                yield return new FieldError("notifications.dead_mans_switch.interval", "must be at least 1s");
            }
            if (dms.Method is not ("GET" or "POST"))
            {
                yield return new FieldError("notifications.dead_mans_switch.method", "GET or POST");
            }
        }
    }

    private static IEnumerable<FieldError> ValidateType(ChannelDefinition c, string at)
    {
        switch (c.Type)
        {
            case "slack" or "teams" or "webhook":
                if (c.UrlFile is null && !IsHttpUrl(c.Url))
                {
                    yield return new FieldError(at + "url", c.Url is null ? $"a {c.Type} channel needs a url" : $"\"{c.Url}\" is not an http or https URL");
                }
                break;
            case "pagerduty":
                if (c.RoutingKey is null && c.RoutingKeyFile is null)
                {
                    yield return new FieldError(at + "routing_key", "a pagerduty channel needs a routing_key (or routing_key_file)");
                }
                if (c.Url is not null && !IsHttpUrl(c.Url))
                {
                    yield return new FieldError(at + "url", $"\"{c.Url}\" is not an http or https URL");
                }
                if (c.Severity is not ("critical" or "error" or "warning" or "info"))
                {
                    yield return new FieldError(at + "severity", "one of critical, error, warning, info");
                }
                break;
            case "email":
                if (string.IsNullOrWhiteSpace(c.Smarthost) || !c.Smarthost.Contains(':', StringComparison.Ordinal))
                {
                    yield return new FieldError(at + "smarthost", "an email channel needs smarthost as host:port");
                }
                foreach (var (key, value, many) in new[] { ("from", c.From, false), ("to", c.To, true) })
                {
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        yield return new FieldError(at + key, $"an email channel needs {key}");
                    }
                    else if (Addresses(value, many).FirstOrDefault(a => !IsEmail(a)) is { } bad)
                    {
                        yield return new FieldError(at + key, $"\"{bad}\" is not an email address");
                    }
                }
                break;
            case "sms":
                foreach (var (key, value) in new[] { ("account_sid", c.AccountSid), ("from", c.From), ("to", c.To) })
                {
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        yield return new FieldError(at + key, $"an sms channel needs {key}");
                    }
                }
                if (c.AuthToken is null && c.AuthTokenFile is null)
                {
                    yield return new FieldError(at + "auth_token", "an sms channel needs auth_token (or auth_token_file)");
                }
                if (c.Url is not null && !IsHttpUrl(c.Url))
                {
                    yield return new FieldError(at + "url", $"\"{c.Url}\" is not an http or https URL");
                }
                break;
        }
    }

    public static IEnumerable<string> Addresses(string value, bool many) =>
        many ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [value.Trim()];

    private static bool IsEmail(string text) => MailAddress.TryCreate(text, out var address) && address.Host.Length > 0 && !text.Contains(' ', StringComparison.Ordinal);

    private static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static string? TemplateError(string text)
    {
        try
        {
            AlertTemplate.Parse(text);
            return null;
        }
        catch (TemplateException e)
        {
            return e.Message;
        }
    }
}
