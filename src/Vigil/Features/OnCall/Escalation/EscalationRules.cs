using System.Text.RegularExpressions;
using Vigil.Configuration;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// The rules an escalation policy, an external contact and <c>paging:</c> must follow, shared by
/// config validation and the API. Errors are addressed by path (<c>levels[1].targets</c>).
/// </summary>
public static partial class EscalationRules
{
    /// <summary>The external contacts' Slack and webhook URLs, for the outbound policy.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> ContactDestinations(VigilConfig config)
    {
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
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();

    /// <summary>More repeats than this is a loop nobody meant.</summary>
    public const int MaxRepeat = 10;

    public static readonly string[] UntilValues = ["acknowledged", "resolved"];

    /// <summary>What a policy may refer to; null when that kind of name is not checked (users are only known to the database).</summary>
    public sealed record Known(IReadOnlySet<string>? Schedules, IReadOnlySet<string>? Contacts, IReadOnlySet<string>? Users = null);

    /// <summary><c>escalation_policies:</c>, <c>contacts:</c> and <c>paging:</c> of a whole config.</summary>
    public static IEnumerable<FieldError> ValidateConfig(VigilConfig config)
    {
        var errors = new List<FieldError>();
        var contacts = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Contacts.Count; i++)
        {
            var contact = config.Contacts[i];
            if (contact.Name is { } name && !contacts.Add(name))
            {
                errors.Add(new($"contacts[{i}].name", $"duplicate contact name \"{name}\""));
            }
            ValidateContact(contact, $"contacts[{i}].", errors);
        }
        foreach (var service in config.Services)
        {
            foreach (var contact in service.Contacts ?? [])
            {
                if (contact.Name is { } name)
                {
                    contacts.Add(name);
                }
            }
        }
        var known = new Known(config.Schedules.Where(s => s.Name is not null).Select(s => s.Name!).ToHashSet(StringComparer.Ordinal), contacts);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.EscalationPolicies.Count; i++)
        {
            var policy = config.EscalationPolicies[i];
            if (policy.Name is { } name && !names.Add(name))
            {
                errors.Add(new($"escalation_policies[{i}].name", $"duplicate escalation policy name \"{name}\""));
            }
            errors.AddRange(Validate(policy, $"escalation_policies[{i}].", known));
        }
        ValidatePaging(config, errors);
        return errors;
    }

    public static List<FieldError> Validate(EscalationPolicyDefinition policy, string prefix, Known known)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(policy.Name))
        {
            errors.Add(new($"{prefix}name", "is required"));
        }
        else if (!NamePattern().IsMatch(policy.Name))
        {
            errors.Add(new($"{prefix}name", ScheduleRules.NameRule));
        }
        if (policy.Levels is not { Count: > 0 })
        {
            errors.Add(new($"{prefix}levels", "at least one level is required"));
        }
        if (policy.Repeat is < 0 or > MaxRepeat)
        {
            errors.Add(new($"{prefix}repeat", $"must be between 0 and {MaxRepeat}"));
        }
        if (policy.Until is not null && !UntilValues.Contains(policy.Until))
        {
            errors.Add(new($"{prefix}until", $"must be \"acknowledged\" or \"resolved\", not \"{policy.Until}\""));
        }
        var levels = policy.Levels ?? [];
        for (var i = 0; i < levels.Count; i++)
        {
            var at = $"{prefix}levels[{i}].";
            var level = levels[i];
            if (level is null)
            {
                errors.Add(new($"{prefix}levels[{i}]", "a level needs targets"));
                continue;
            }
            if (level.Targets is not { Count: > 0 })
            {
                errors.Add(new($"{at}targets", "a level needs at least one target ({user: NAME}, {schedule: NAME} or {contact: NAME})"));
            }
            var last = i == levels.Count - 1;
            if (level.Delay is { } delay && delay <= TimeSpan.Zero)
            {
                errors.Add(new($"{at}delay", "must be positive, such as 5m"));
            }
            else if (level.Delay is null && (!last || policy.Repeat > 0))
            {
                errors.Add(new($"{at}delay", last
                    ? "is required on the last level when the policy repeats: how long to wait before starting over"
                    : "is required: how long to wait for an acknowledgement before the next level, such as 5m"));
            }
            for (var t = 0; t < (level.Targets?.Count ?? 0); t++)
            {
                ValidateTarget(level.Targets![t], $"{at}targets[{t}]", known, errors);
            }
        }
        return errors;
    }

    private static void ValidateTarget(EscalationTargetDefinition? target, string at, Known known, List<FieldError> errors)
    {
        var given = target is null ? 0 : new[] { target.User, target.Schedule, target.Contact }.Count(v => !string.IsNullOrWhiteSpace(v));
        if (target is null || given != 1)
        {
            errors.Add(new(at, "must name exactly one of user, schedule or contact"));
            return;
        }
        if (target.Schedule is { } schedule && known.Schedules is { } schedules && !schedules.Contains(schedule))
        {
            errors.Add(new($"{at}.schedule", $"no schedule named \"{schedule}\""));
        }
        if (target.User is { } user && known.Users is { } users && !users.Contains(user))
        {
            errors.Add(new($"{at}.user", $"no user named \"{user}\""));
        }
        if (target.Contact is { } contact && known.Contacts is { } contacts && !contacts.Contains(contact))
        {
            errors.Add(new($"{at}.contact", $"no contact named \"{contact}\" in contacts: or in a service's contacts"));
        }
    }

    public static void ValidateContact(ExternalContactDefinition contact, string at, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(contact.Name))
        {
            errors.Add(new($"{at}name", "is required"));
        }
        if (contact.Email is null && contact.Phone is null && contact.Slack is null && contact.Webhook is null)
        {
            errors.Add(new(at.TrimEnd('.'), "needs at least one of email, phone, slack or webhook"));
        }
        if (contact.Email is { } email && CheckAddress("email", email) is { } emailError)
        {
            errors.Add(new($"{at}email", emailError));
        }
        if (contact.Phone is { } phone && CheckAddress("sms", phone) is { } phoneError)
        {
            errors.Add(new($"{at}phone", phoneError));
        }
        if (contact.Slack is { } slack && CheckAddress("slack", slack) is { } slackError)
        {
            errors.Add(new($"{at}slack", slackError));
        }
        if (contact.Webhook is { } webhook && CheckAddress("webhook", webhook) is { } webhookError)
        {
            errors.Add(new($"{at}webhook", webhookError));
        }
    }

    /// <summary>Why <paramref name="address"/> cannot be used for a contact method of <paramref name="type"/>, or null when it can.</summary>
    public static string? CheckAddress(string type, string address) => type switch
    {
        "email" => address.Contains('@', StringComparison.Ordinal) && !address.Contains(',', StringComparison.Ordinal) && address.Trim() == address
            ? null : $"\"{address}\" is not an email address",
        "sms" => E164().IsMatch(address) ? null : $"\"{address}\" is not a phone number in E.164 form, such as +4915112345678",
        "slack" or "webhook" => Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? null : "is not an absolute http(s) URL",
        _ => $"unknown contact method type \"{type}\": use email, sms, slack or webhook",
    };

    private static void ValidatePaging(VigilConfig config, List<FieldError> errors)
    {
        var paging = config.Paging;
        CheckChannel(config, paging.EmailChannel, "email", "paging.email_channel", errors);
        CheckChannel(config, paging.SmsChannel, "sms", "paging.sms_channel", errors);
        if (paging.ExternalUrl is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            errors.Add(new("paging.external_url", $"\"{url}\" is not an absolute URL"));
        }
        if (paging.LinkLifetime <= TimeSpan.Zero)
        {
            errors.Add(new("paging.link_lifetime", "must be positive, such as 24h"));
        }
    }

    private static void CheckChannel(VigilConfig config, string? name, string type, string path, List<FieldError> errors)
    {
        if (name is null)
        {
            return;
        }
        var channel = config.Channels.FirstOrDefault(c => c.Name == name);
        if (channel is null)
        {
            errors.Add(new(path, $"no channel named \"{name}\" in channels:"));
        }
        else if (channel.Type != type)
        {
            errors.Add(new(path, $"channel \"{name}\" is of type {channel.Type}, not {type}"));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
