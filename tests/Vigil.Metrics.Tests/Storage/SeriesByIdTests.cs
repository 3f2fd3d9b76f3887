using System.Globalization;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

public class SeriesByIdTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static MemSeries NewSeries(int id) => new(id, Labels.Of("__name__", "s", "id", id.ToString(CultureInfo.InvariantCulture)));

    [Fact]
    public void Holds_series_across_pages_counts_them_and_lists_them_in_id_order()
    {
        var byId = new SeriesById();
        int[] ids = [5000, 1, 1023, 1024, 3_000_000, 2];
        foreach (var id in ids)
        {
            byId.Set(id, NewSeries(id));
        }

        Assert.Equal(ids.Length, byId.Count);
        Assert.All(ids, id => Assert.Equal(id, byId.Get(id)!.Id));
        Assert.Null(byId.Get(3));
        Assert.Null(byId.Get(1025));
        Assert.Null(byId.Get(int.MaxValue));
        Assert.Equal(ids.Order(), byId.Values.Select(s => s.Id));
    }

    [Fact]
    public void Replacing_keeps_the_count_and_removing_frees_the_slot_and_an_emptied_page()
    {
        var byId = new SeriesById();
        byId.Set(7, NewSeries(7));
        var replacement = NewSeries(7);
        byId.Set(7, replacement);
        byId.Set(2048, NewSeries(2048));

        Assert.Equal(2, byId.Count);
        Assert.Same(replacement, byId.Get(7));

        byId.Remove(7);
        byId.Remove(7);
        byId.Remove(99_999);

        Assert.Equal(1, byId.Count);
        Assert.Null(byId.Get(7));
        Assert.Equal([2048], byId.Values.Select(s => s.Id));

        byId.Set(7, NewSeries(7)); // a page let go comes back when an id in it is used again
        Assert.Equal(7, byId.Get(7)!.Id);
        Assert.Equal(2, byId.Count);
    }

    [Fact]
    public void Negative_ids_are_held_beside_the_pages()
    {
        var byId = new SeriesById();
        byId.Set(-3, NewSeries(-3));
        byId.Set(4, NewSeries(4));
        byId.Set(-3, NewSeries(-3));

        Assert.Equal(2, byId.Count);
        Assert.Equal([-3, 4], byId.Values.Select(s => s.Id));

        byId.Remove(-3);

        Assert.Null(byId.Get(-3));
        Assert.Equal(1, byId.Count);
    }

    [Fact]
    public async Task A_head_of_several_pages_of_series_replays_to_the_same_series_and_samples()
    {
        const int count = 3 * 1024 + 17;
        var options = Manual() with { RetentionTime = TimeSpan.FromDays(36_500) };
        var labels = Enumerable.Range(0, count).Select(i => Labels.Of("__name__", "paged_total", "i", i.ToString(CultureInfo.InvariantCulture))).ToArray();
        IReadOnlyList<Series> before;
        await using (var store = TsdbStore.Open(dir.Sub("live"), options))
        {
            for (var step = 0; step < 3; step++)
            {
                var app = store.Appender();
                for (var i = 0; i < count; i++)
                {
                    app.Append(labels[i], step * 15_000L, i + step);
                }
                Assert.Equal(count, (await app.CommitAsync()).Appended);
            }
            before = All(store);
            Assert.Equal(count, store.GetStats().HeadSeries);
            CopyDirectory(dir.Sub("live"), dir.Sub("crashed"));
        }

        await using var reopened = TsdbStore.Open(dir.Sub("crashed"), options);

        Assert.Equal(count, reopened.GetStats().HeadSeries);
        var after = All(reopened);
        Assert.Equal(before.Select(s => s.Labels), after.Select(s => s.Labels));
        Assert.Equal(before.Select(s => string.Join(",", s.Samples)), after.Select(s => string.Join(",", s.Samples)));
        Assert.Equal([2L * 15_000], All(reopened, new LabelMatcher("i", MatchType.Equal, "3080")).Single().Samples.Skip(2).Select(s => s.TimestampMs));
    }
}
