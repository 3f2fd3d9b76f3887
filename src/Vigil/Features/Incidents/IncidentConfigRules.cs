using Vigil.Configuration;

namespace Vigil.Features.Incidents;

/// <summary>The <c>incidents:</c> rules: severities unique with positive targets, calendars valid, mappings and channels known.</summary>
public static class IncidentConfigRules
{
    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        var settings = config.Incidents;
        var calendars = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.BusinessCalendars.Count; i++)
        {
            var definition = settings.BusinessCalendars[i];
            if (definition.Name is not null && !calendars.Add(definition.Name))
            {
                yield return new($"incidents.business_calendars[{i}].name", $"duplicate calendar name \"{definition.Name}\"");
            }
            foreach (var (path, reason) in BusinessCalendar.From(definition).Errors)
            {
                yield return new($"incidents.business_calendars[{i}].{path}", reason);
            }
        }
        var channels = config.Channels.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var severities = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Severities.Count; i++)
        {
            var severity = settings.Severities[i];
            var path = $"incidents.severities[{i}]";
            if (severity.Name is not null && !severities.Add(severity.Name))
            {
                yield return new($"{path}.name", $"duplicate severity \"{severity.Name}\"");
            }
            // 0s is a real target: the seeds' security classification answers "Immediate".
            if (severity.Response is { } response && response < TimeSpan.Zero)
            {
                yield return new($"{path}.response", "must not be negative (0s means immediate)");
            }
            if (severity.Resolution is { } resolution && resolution <= TimeSpan.Zero)
            {
                yield return new($"{path}.resolution", "must be longer than 0");
            }
            if (severity.BusinessCalendar is { } calendar && !calendars.Contains(calendar))
            {
                yield return new($"{path}.business_calendar", $"no business calendar named \"{calendar}\" in incidents.business_calendars");
            }
            for (var c = 0; c < severity.Channels.Count; c++)
            {
                if (!channels.Contains(severity.Channels[c]))
                {
                    yield return new($"{path}.channels[{c}]", $"no channel named \"{severity.Channels[c]}\"");
                }
            }
        }
        var known = settings.EffectiveSeverities.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (!known.Contains(settings.DefaultSeverity))
        {
            yield return new("incidents.default_severity", $"default_severity \"{settings.DefaultSeverity}\" is not one of the severities ({string.Join(", ", known)}): set incidents.default_severity");
        }
        if (settings.Severities.Count > 0 && settings.AlertSeverities.Count == IncidentSettings.DefaultAlertSeverities.Count &&
            settings.AlertSeverities.All(p => IncidentSettings.DefaultAlertSeverities.GetValueOrDefault(p.Key) == p.Value) &&
            settings.AlertSeverities.Values.Any(v => !known.Contains(v)))
        {
            // The default map names P1-P4; custom severities need their own.
            yield return new("incidents.severities", $"custom severities need incidents.alert_severities: map the alert severities ({string.Join(", ", IncidentSettings.DefaultAlertSeverities.Keys)}) to {string.Join(", ", known)}");
        }
        else
        {
            foreach (var (value, severity) in settings.AlertSeverities)
            {
                if (!known.Contains(severity))
                {
                    yield return new($"incidents.alert_severities.{value}", $"no severity named \"{severity}\"; known: {string.Join(", ", known)}");
                }
            }
        }
        for (var i = 0; i < settings.GroupBy.Count; i++)
        {
            if (!Alerting.Routing.RoutingRules.IsLabelName(settings.GroupBy[i]))
            {
                yield return new($"incidents.group_by[{i}]", $"invalid label name \"{settings.GroupBy[i]}\"");
            }
        }
        if (settings.SlaWarning is <= 0 or > 1)
        {
            yield return new("incidents.sla_warning", "must be a share above 0 and at most 1, e.g. 0.8");
        }
        for (var i = 0; i < settings.UpdateChannels.Count; i++)
        {
            if (!channels.Contains(settings.UpdateChannels[i]))
            {
                yield return new($"incidents.update_channels[{i}]", $"no channel named \"{settings.UpdateChannels[i]}\"");
            }
        }
        foreach (var (name, text) in new[] { ("initial", settings.Templates.Initial), ("update", settings.Templates.Update), ("resolution", settings.Templates.Resolution) })
        {
            if (text is not null && StatusMessages.Check(text) is { } error)
            {
                yield return new($"incidents.templates.{name}", error);
            }
        }
    }
}
