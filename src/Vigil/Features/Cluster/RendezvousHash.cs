using System.Security.Cryptography;
using System.Text;

namespace Vigil.Features.Cluster;

/// <summary>
/// Rendezvous (highest random weight) hashing, Thaler and Ravishankar 1996: each key goes to the
/// member with the highest hash of (member, key). Every replica computes the same owner from the
/// same membership without talking to the others, and when a member leaves only its own keys move
/// (spread over the rest); when one joins it takes about 1/n of the keys from each.
/// </summary>
public static class RendezvousHash
{
    /// <returns>The member that owns <paramref name="key"/>, or null when there are none.</returns>
    public static string? OwnerOf(string key, IReadOnlyCollection<string> members)
    {
        string? owner = null;
        ulong best = 0;
        foreach (var member in members)
        {
            var weight = Weight(member, key);
            if (owner is null || weight > best || (weight == best && string.CompareOrdinal(member, owner) < 0))
            {
                (owner, best) = (member, weight);
            }
        }
        return owner;
    }

    private static ulong Weight(string member, string key) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{member}\0{key}")), 0);
}
