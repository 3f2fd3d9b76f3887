using System.Text.Json;
using System.Text.Json.Serialization;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Backups;

/// <summary>
/// A backup job's report, by <c>POST /api/backups/reports</c> (and <c>vigil backup report</c>) or
/// as the JSON body of a heartbeat ping of the policy's heartbeat. A malformed report is answered
/// 400 naming the field and is not recorded.
/// </summary>
public static class ReceiveBackupReport
{
    public const int MaxLogChars = 10 * 1024;

    public sealed class Request
    {
        /// <summary>The policy; on a ping, the policy whose heartbeat was pinged.</summary>
        public string? Policy { get; set; }
        public string? Kind { get; set; }
        public DateTimeOffset? StartedAt { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }
        public long? SizeBytes { get; set; }
        public string? Checksum { get; set; }
        public string? Location { get; set; }
        public string? Status { get; set; }
        public string? Log { get; set; }
    }

    internal static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Hosting.VigilHost.ConfigureJson(json);
        return json;
    }

    /// <summary>Reads a report from JSON text; the error names the field (<c>size_bytes</c>) and the reason.</summary>
    public static (Request? Report, FieldError? Error) Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<Request>(text, Json) is { } request ? (request, null) : (null, new FieldError("body", "a JSON report is required"));
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            return (null, new FieldError(field, e.Message.Split(" Path:")[0]));
        }
    }

    /// <summary>The report as it is stored, or the first thing wrong with it.</summary>
    public static (BackupReport? Report, FieldError? Error) Check(Request r, BackupPolicy policy, string source, DateTimeOffset now)
    {
        string[] kinds = [.. policy.Kinds.Select(k => k.Kind), "verification", "restore"];
        if (string.IsNullOrWhiteSpace(r.Kind))
        {
            return (null, new("kind", $"the kind of backup is required: one of {string.Join(", ", kinds)}"));
        }
        if (!kinds.Contains(r.Kind))
        {
            return (null, new("kind", $"policy \"{policy.Name}\" expects no \"{r.Kind}\" backups: use one of {string.Join(", ", kinds)}"));
        }
        var status = r.Status ?? "success";
        if (status is not ("success" or "failure"))
        {
            return (null, new("status", $"\"{status}\" is not success or failure"));
        }
        var finished = r.FinishedAt ?? now;
        if (finished > now + TimeSpan.FromMinutes(5))
        {
            return (null, new("finished_at", "is in the future"));
        }
        if (r.StartedAt is { } started && started > finished)
        {
            return (null, new("started_at", "is after finished_at"));
        }
        if (r.Kind == "restore" && r.StartedAt is null)
        {
            return (null, new("started_at", "a restore drill needs started_at: its duration is measured against the RTO"));
        }
        if (r.SizeBytes is < 0)
        {
            return (null, new("size_bytes", "must not be negative"));
        }
        if (r.Checksum is { Length: > 200 })
        {
            return (null, new("checksum", "at most 200 characters"));
        }
        if (r.Location is { Length: > 2000 })
        {
            return (null, new("location", "at most 2000 characters"));
        }
        var log = r.Log is { Length: > MaxLogChars } text ? text[..MaxLogChars] : r.Log;
        return (new BackupReport
        {
            Policy = policy.Name,
            Kind = r.Kind,
            StartedAt = r.StartedAt,
            FinishedAt = finished,
            SizeBytes = r.SizeBytes,
            Checksum = r.Checksum,
            Location = r.Location,
            Status = status,
            Log = log,
            ReceivedAt = now,
            Source = source,
        }, null);
    }

    /// <summary><c>POST /api/backups/reports</c>.</summary>
    public static async Task<IResult> Handle(HttpRequest http, ConfigReloader config, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(http.Body);
        var (request, error) = Parse(await reader.ReadToEndAsync(cancellationToken));
        if (request is null)
        {
            return Hosting.Problems.Field(error!.Path, error.Reason);
        }
        if (string.IsNullOrWhiteSpace(request.Policy))
        {
            return Hosting.Problems.Field("policy", "the backup policy's name is required");
        }
        if (ListBackupPolicies.Current(config).FirstOrDefault(p => p.Name == request.Policy) is not { } policy)
        {
            return Hosting.Problems.NotFound($"no backup policy \"{request.Policy}\"");
        }
        var (report, invalid) = Check(request, policy, "api", clock.GetUtcNow());
        if (report is null)
        {
            return Hosting.Problems.Field(invalid!.Path, invalid.Reason);
        }
        db.Add(report);
        audit.Record("report", "backup", policy.Name, new { kind = report.Kind, status = report.Status, size_bytes = report.SizeBytes });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/backups/policies/{Uri.EscapeDataString(policy.Name)}/reports", ListBackupReports.View(report));
    }
}
