using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Hosting;

namespace Vigil.Features.Monitors;

/// <summary><c>POST /api/monitors</c> and <c>PUT /api/monitors/{name}</c>: API-defined monitors; config-defined ones are read-only.</summary>
public static class SaveMonitor
{
    public static async Task<Results<Created<MonitorView>, ValidationProblem, ProblemHttpResult>> Create(
        MonitorDefinition? body, VigilDbContext db, AuditLog audit, MonitorLoop loop, MonitorStates states, SecretProtector secrets, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON monitor definition is required");
        }
        if (await ValidateAsync(body, db, cancellationToken) is { } problem)
        {
            return problem;
        }
        if (await db.Set<StoredMonitor>().AnyAsync(m => m.Name == body.Name, cancellationToken))
        {
            return Problems.Conflict($"a monitor named \"{body.Name}\" already exists");
        }
        var now = clock.GetUtcNow();
        var monitor = new StoredMonitor { Name = body.Name!, Service = body.Service!, Origin = ObjectOrigin.Api, CreatedAt = now, UpdatedAt = now };
        monitor.Apply(body, secrets);
        db.Add(monitor);
        audit.Record("create", "monitor", monitor.Name);
        await db.SaveChangesAsync(cancellationToken);
        await loop.RefreshAsync(cancellationToken);
        return TypedResults.Created($"/api/monitors/{monitor.Name}", MonitorView.From(monitor, states.Get(monitor.Name), secrets));
    }

    public static async Task<Results<Ok<MonitorView>, ValidationProblem, ProblemHttpResult>> Update(
        string name, MonitorDefinition? body, VigilDbContext db, AuditLog audit, MonitorLoop loop, MonitorStates states, SecretProtector secrets, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON monitor definition is required");
        }
        body.Name ??= name;
        if (body.Name != name)
        {
            return Problems.Field("name", $"does not match the monitor in the URL (\"{name}\"); monitors cannot be renamed");
        }
        var monitor = await db.Set<StoredMonitor>().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
        if (monitor is null)
        {
            return Problems.NotFound($"no monitor named \"{name}\"");
        }
        if (monitor.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"monitor \"{name}\" is defined in the configuration file and is read-only through the API");
        }
        if (await ValidateAsync(body, db, cancellationToken) is { } problem)
        {
            return problem;
        }
        monitor.Apply(body, secrets);
        monitor.UpdatedAt = clock.GetUtcNow();
        audit.Record("update", "monitor", monitor.Name);
        await db.SaveChangesAsync(cancellationToken);
        await loop.RefreshAsync(cancellationToken);
        return TypedResults.Ok(MonitorView.From(monitor, states.Get(name), secrets));
    }

    /// <summary>The checks of a create or an update (and of the console's "Test now", which must not run what would not be saved).</summary>
    internal static async Task<ValidationProblem?> ValidateAsync(MonitorDefinition body, VigilDbContext db, CancellationToken cancellationToken)
    {
        var services = await db.Services.AsNoTracking().ToDictionaryAsync(s => s.Name, s => (IReadOnlyCollection<string>)s.Environments.Select(e => e.Name).ToList(), cancellationToken);
        var errors = MonitorRules.Validate(body, "", s => services.GetValueOrDefault(s)).ToList();
        errors.AddRange(Outbound.OutboundRules.Refusals(MonitorConfigRules.Destinations(body, ""), Outbound.OutboundConnector.Current));
        if (body.Token is not null && await db.Set<StoredMonitor>().AnyAsync(m => m.Token == ApiToken.HashOf(body.Token) && m.Name != body.Name, cancellationToken))
        {
            errors.Add(new("token", "another heartbeat has the same token"));
        }
        return errors.Count > 0 ? Problems.Validation(errors) : null;
    }
}
