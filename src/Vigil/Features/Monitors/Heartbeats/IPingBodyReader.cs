namespace Vigil.Features.Monitors.Heartbeats;

/// <summary>
/// Another area that reads the body of a heartbeat's ping (backups: a job reports its backup as a
/// JSON body). Returns null when the heartbeat is none of its business; otherwise whether the
/// ping counts as a success or a failure, or why the body is refused (the ping is then not counted).
/// </summary>
public interface IPingBodyReader
{
    Task<PingBodyVerdict?> ReadAsync(string heartbeat, string? body, CancellationToken cancellationToken);
}

/// <summary>What a <see cref="IPingBodyReader"/> made of a ping: <see cref="Failed"/>, or refused because of <see cref="Field"/> and <see cref="Reason"/>.</summary>
public sealed record PingBodyVerdict(bool Failed, string? Field = null, string? Reason = null)
{
    public bool Refused => Field is not null;
}
