using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// A slice that stores something about a user, for <see cref="PersonalData"/>'s GDPR requests: it
/// exports what it holds and erases it, each in the caller's unit of work. Access owns the requests
/// and the user; each slice its own tables (registered as a service by the slice).
/// </summary>
public interface IPersonalDataHolder
{
    /// <summary>The export's sections this slice adds, by their JSON names.</summary>
    Task<IReadOnlyDictionary<string, object>> ExportAsync(VigilDbContext db, int userId, string username, CancellationToken cancellationToken);

    /// <summary>Removes what only the user is (contact details) and puts <paramref name="pseudonym"/> where history names them.</summary>
    Task EraseAsync(VigilDbContext db, int userId, string username, string pseudonym, CancellationToken cancellationToken);
}
