using System.Text.Json;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// Writes audit entries. A use case calls <see cref="Record"/> before its own
/// <c>SaveChangesAsync</c>, so the entry and the change commit together or not at all. Who and
/// from where come from the request; outside a request (first start, CLI) the actor is "system".
/// </summary>
public sealed class AuditLog(VigilDbContext db, IHttpContextAccessor http, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="action">What happened: create, update, delete, sign_in, sign_in_failed, lock, revoke, ...</param>
    /// <param name="resource">The kind of thing: service, user, api_token, session, config, ...</param>
    /// <param name="actor">Who did it, when not the caller of the request (a sign-in, before the session exists).</param>
    public AuditEntry Record(string action, string resource, string? resourceId, object? metadata = null, User? actor = null)
    {
        var context = http.HttpContext;
        var caller = context?.Caller() ?? Caller.System;
        var entry = new AuditEntry
        {
            UserId = actor?.Id ?? caller.UserId,
            Username = actor?.Username ?? (caller.IsAuthenticated ? caller.Username : context is null ? Caller.System.Username : null),
            Action = action,
            Resource = resource,
            ResourceId = resourceId,
            IpAddress = context?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = context is null ? null : Truncate(context.Request.Headers.UserAgent.ToString(), 500),
            Metadata = metadata is null ? "{}" : JsonSerializer.Serialize(WithToken(metadata, caller), Json),
            CreatedAt = clock.GetUtcNow(),
        };
        if (metadata is null && caller.TokenId is { } token)
        {
            entry.Metadata = JsonSerializer.Serialize(new { token_id = token }, Json);
        }
        db.AuditLog.Add(entry);
        return entry;
    }

    /// <summary>Changes made with an API token name the token, so a leaked one can be traced.</summary>
    private static object WithToken(object metadata, Caller caller)
    {
        if (caller.TokenId is not { } token)
        {
            return metadata;
        }
        var map = JsonSerializer.SerializeToElement(metadata, Json).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        map["token_id"] = token;
        return map;
    }

    private static string? Truncate(string value, int length) =>
        value.Length == 0 ? null : value.Length <= length ? value : value[..length];
}
