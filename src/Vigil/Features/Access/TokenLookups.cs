using System.Collections.Concurrent;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// The API tokens that callers presented lately, with their owners and roles as read, so that a
/// busy sender (Prometheus's remote write: hundreds of requests a second under one token) is not
/// one database read per request. Only on one process (SQLite), where every change to tokens,
/// users and roles goes through this process's saves: an entry is used only while none of those
/// types was saved since it was read (<see cref="SavedTypes"/>), so a revocation, a role change or
/// an erasure takes effect on the next request. Changes made around those saves (another process
/// on the same database file, such as the <c>vigil admin</c> commands) are seen within
/// <see cref="Lifetime"/>. Expiry is checked on every use.
/// </summary>
public sealed class TokenLookups(TimeProvider clock)
{
    /// <summary>How long an entry is used at most, for changes no save of this process made.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    /// <summary>Bounds the memory a flood of random tokens could take (unknown tokens are not kept at all).</summary>
    private const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <param name="Token">The token as read, with its user and the user's roles (not tracked).</param>
    private sealed record Entry(ApiToken Token, long Version, long ReadAt);

    private static long Version =>
        SavedTypes.Version(typeof(ApiToken)) + SavedTypes.Version(typeof(User)) + SavedTypes.Version(typeof(RoleAssignment));

    /// <summary>The version to note before reading a token from the store (then <see cref="Keep"/>).</summary>
    public long VersionBeforeRead => Version;

    /// <summary>The token for <paramref name="hash"/> as read at most <see cref="Lifetime"/> ago with nothing saved since, else null.</summary>
    public ApiToken? Find(string hash)
    {
        if (!entries.TryGetValue(hash, out var entry))
        {
            return null;
        }
        if (entry.Version != Version || clock.GetElapsedTime(entry.ReadAt) > Lifetime)
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(hash, entry));
            return null;
        }
        return entry.Token;
    }

    /// <summary>Keeps a usable token read at <paramref name="versionBeforeRead"/> (<see cref="VersionBeforeRead"/>).</summary>
    public void Keep(string hash, ApiToken token, long versionBeforeRead)
    {
        if (entries.Count >= Capacity)
        {
            entries.Clear();
        }
        entries[hash] = new Entry(token, versionBeforeRead, clock.GetTimestamp());
    }
}
