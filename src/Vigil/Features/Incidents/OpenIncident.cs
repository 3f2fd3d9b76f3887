using Vigil.Features.OnCall.Escalation;

namespace Vigil.Features.Incidents;

/// <summary><c>POST /api/incidents</c>: opens an incident by hand; also how a route's alerts open one.</summary>
public static class OpenIncident
{
    public sealed class Request
    {
        public string? Title { get; set; }
        public string? Description { get; set; }
        public string? Severity { get; set; }
        public List<AffectedService>? Services { get; set; }
        public string? Commander { get; set; }
        /// <summary>incident (default), security or drill.</summary>
        public string? Type { get; set; }
        /// <summary>private (default) or public; public needs <see cref="PublicTitle"/> and an incident of type incident.</summary>
        public string? Visibility { get; set; }
        public string? PublicTitle { get; set; }
    }

    public static async Task<IResult> Handle(Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, body, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary, created: true);

    public static async Task<IncidentOutcome> RunAsync(IncidentWorkspace work, Request? body, string actor, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return IncidentOutcome.Invalid("body", "a JSON incident is required");
        }
        if (string.IsNullOrWhiteSpace(body.Title))
        {
            return IncidentOutcome.Invalid("title", "a title is required");
        }
        if (body.Title.Length > 300)
        {
            return IncidentOutcome.Invalid("title", "at most 300 characters");
        }
        var severity = body.Severity ?? work.Settings.DefaultSeverity;
        if (work.Settings.Severity(severity) is null)
        {
            return IncidentOutcome.Invalid("severity", $"unknown severity \"{severity}\": use one of {string.Join(", ", work.Settings.EffectiveSeverities.Select(s => s.Name))}");
        }
        var type = body.Type ?? IncidentType.Incident;
        var visibility = body.Visibility ?? IncidentVisibility.Private;
        if (IncidentVisibility.Check(type, visibility, body.PublicTitle) is { } refused)
        {
            return IncidentOutcome.Invalid(refused.Field, refused.Reason);
        }
        var services = body.Services ?? [];
        if (ChangeAffectedServices.Check(services) is { } error)
        {
            return error;
        }
        await using var transaction = await work.Db.Database.BeginTransactionAsync(cancellationToken);
        var incident = await StartAsync(work.Db, work.Settings, work.Paging, new(body.Title.Trim(), body.Description, severity, services, body.Commander, "manual", null, type, visibility, body.PublicTitle?.Trim()), actor, work.Link, work.Now, cancellationToken);
        await Deployments.DeploymentsOnIncidents.RecordRecentAsync(work.Db, incident, work.Config.Deployments, work.Now, cancellationToken);
        work.Audit.Record("open", "incident", incident.HumanId);
        await work.CommitAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return IncidentOutcome.Done(incident);
    }

    /// <param name="Visibility">Private unless given: an incident opened from alerts stays off status pages until someone publishes it.</param>
    public sealed record Fields(
        string Title, string? Description, string Severity, IReadOnlyList<AffectedService> Services, string? Commander, string Source, string? GroupKey,
        string Type = IncidentType.Incident, string Visibility = IncidentVisibility.Private, string? PublicTitle = null);

    /// <summary>
    /// Adds the incident with its next human ID and first timeline row to the caller's unit of
    /// work (inside the caller's transaction), and starts paging through the severity's policy.
    /// </summary>
    public static async Task<Incident> StartAsync(Data.VigilDbContext db, IncidentSettings settings, IPaging? paging, Fields fields, string actor, Func<Incident, string> link, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var year = now.UtcDateTime.Year;
        var number = await IncidentNumbers.NextAsync(db, year, cancellationToken);
        var incident = new Incident
        {
            HumanId = IncidentNumbers.Format(year, number),
            Year = year,
            Number = number,
            Title = fields.Title,
            Description = fields.Description,
            Severity = fields.Severity,
            Source = fields.Source,
            Type = fields.Type,
            Visibility = fields.Visibility,
            PublicTitle = fields.PublicTitle,
            GroupKey = fields.GroupKey,
            Commander = fields.Commander,
            Services = [.. fields.Services.Select(s => new IncidentService { Service = s.Service, Impact = s.Impact })],
            OpenedAt = now,
            OpenedBy = actor,
            UpdatedAt = now,
        };
        db.Add(incident);
        var affected = incident.Services.Count == 0 ? "" : $"; affects {string.Join(", ", incident.Services.Select(s => $"{s.Service} ({s.Impact})"))}";
        IncidentWorkspace.Record(db, incident, "opened", actor, $"Opened as {incident.Severity} ({fields.Source}){affected}", now);
        if (fields.Commander is not null)
        {
            var told = await NotifyIncidentRoles.AssignedAsync(db, paging, incident, "incident commander", fields.Commander, link(incident), now, cancellationToken);
            IncidentWorkspace.Record(db, incident, "role", actor, $"{fields.Commander} is incident commander; {told}", now);
        }
        var severity = settings.Severity(incident.Severity);
        Announce(db, settings, severity, incident, link(incident), now);
        var policy = severity?.EscalationPolicy ?? settings.EscalationPolicy;
        if (paging is not null && policy is not null && severity?.Page != false)
        {
            var title = $"{incident.HumanId} {incident.Severity} {incident.Services.FirstOrDefault()?.Service ?? ""}: {incident.Title}".Replace("  ", " ", StringComparison.Ordinal);
            await paging.StartAsync(db, new PageRequest(incident.PageSubject, policy, title, fields.Description ?? fields.Title, incident.Severity, incident.Services.FirstOrDefault()?.Service, link(incident)), now, cancellationToken);
        }
        return incident;
    }

    /// <summary>
    /// The initial message (the seeds' "🚨 INCIDENT ALERT") to the severity's <c>channels</c> and
    /// <c>incidents.update_channels</c>, so an incident that pages nobody (a SEV-3: "Slack
    /// notification") still tells someone. A template that fails to render falls back to the seeds' wording.
    /// </summary>
    private static void Announce(Data.VigilDbContext db, IncidentSettings settings, SeverityDefinition? severity, Incident incident, string link, DateTimeOffset now)
    {
        var channels = (severity?.Channels ?? []).Concat(settings.UpdateChannels).Distinct(StringComparer.Ordinal).ToList();
        if (channels.Count == 0)
        {
            return;
        }
        var fields = StatusMessages.FieldsOf(incident, settings, link, now);
        fields["message"] = incident.Description;
        string text;
        try
        {
            text = StatusMessages.Render(StatusMessages.TemplateFor(settings.Templates, StatusMessages.Initial), fields);
        }
        catch (Templates.TemplateException)
        {
            text = StatusMessages.Render(StatusMessages.DefaultInitial, fields);
        }
        PostStatusUpdate.Send(db, channels, incident, StatusMessages.Initial, text, link, now);
        IncidentWorkspace.Record(db, incident, "update", null, $"Initial message to {string.Join(", ", channels)}", now);
    }
}
