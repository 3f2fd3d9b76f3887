using Vigil.Features.Cluster;

namespace Vigil.Tests.Cluster;

public sealed class RendezvousHashTests
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 3000).Select(i => $"monitor-{i}")];

    [Fact]
    public void Every_replica_computes_the_same_owner_whatever_the_order_of_the_membership()
    {
        foreach (var key in Keys.Take(200))
        {
            Assert.Equal(RendezvousHash.OwnerOf(key, ["a", "b", "c"]), RendezvousHash.OwnerOf(key, ["c", "a", "b"]));
        }
    }

    [Fact]
    public void Keys_spread_about_evenly_over_the_members()
    {
        var counts = Keys.GroupBy(k => RendezvousHash.OwnerOf(k, ["a", "b", "c"])).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 850, 1150));
    }

    [Fact]
    public void When_a_member_dies_only_its_keys_move_and_they_spread_over_the_survivors()
    {
        var before = Keys.ToDictionary(k => k, k => RendezvousHash.OwnerOf(k, ["a", "b", "c"]));
        var after = Keys.ToDictionary(k => k, k => RendezvousHash.OwnerOf(k, ["a", "c"]));
        Assert.All(Keys.Where(k => before[k] != "b"), k => Assert.Equal(before[k], after[k]));
        var moved = Keys.Where(k => before[k] == "b").GroupBy(k => after[k]).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(["a", "c"], moved.Keys.Order());
        Assert.All(moved.Values, count => Assert.True(count > 300, $"{count} keys moved to one survivor"));
    }

    [Fact]
    public void No_members_own_nothing_and_one_member_owns_everything()
    {
        Assert.Null(RendezvousHash.OwnerOf("monitor-1", []));
        Assert.All(Keys.Take(50), k => Assert.Equal("only", RendezvousHash.OwnerOf(k, ["only"])));
    }
}
