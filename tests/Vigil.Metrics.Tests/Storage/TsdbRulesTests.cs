using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.Tests.Storage;

public class TsdbRulesTests
{
    public static TheoryData<bool, long, double, long, double, long, string> AppendCases => new()
    {
        // hasSamples, maxTime, lastValue, t, v, window, verdict
        { false, long.MinValue, 0, 0, 1, 0, nameof(AppendVerdict.InOrder) },
        { false, long.MinValue, 0, -5, 1, 0, nameof(AppendVerdict.InOrder) },
        { true, 100, 1, 101, 1, 0, nameof(AppendVerdict.InOrder) },
        { true, 100, 1, 100, 1, 0, nameof(AppendVerdict.SameAsExisting) },
        { true, 100, double.NaN, 100, double.NaN, 0, nameof(AppendVerdict.SameAsExisting) },
        { true, 100, double.NaN, 100, Sample.StaleNaN, 0, nameof(AppendVerdict.Duplicate) },
        { true, 100, 1, 100, 2, 0, nameof(AppendVerdict.Duplicate) },
        { true, 100, 1, 99, 1, 0, nameof(AppendVerdict.TooOld) },
        { true, 100, 1, 90, 1, 10, nameof(AppendVerdict.OutOfOrder) },
        { true, 100, 1, 89, 1, 10, nameof(AppendVerdict.TooOld) },
    };

    [Theory]
    [MemberData(nameof(AppendCases))]
    public void A_sample_is_classified_against_its_series_newest_sample(bool hasSamples, long maxTime, double lastValue, long t, double v, long window, string expected)
    {
        Assert.Equal(expected, AppendRules.Classify(hasSamples, maxTime, lastValue, t, v, window).ToString());
    }

    [Fact]
    public void An_out_of_order_sample_is_checked_against_the_value_already_at_its_timestamp()
    {
        Assert.Equal(AppendVerdict.OutOfOrder, AppendRules.ResolveOutOfOrder(null, 1));
        Assert.Equal(AppendVerdict.SameAsExisting, AppendRules.ResolveOutOfOrder(1, 1));
        Assert.Equal(AppendVerdict.Duplicate, AppendRules.ResolveOutOfOrder(1, 2));
    }

    [Fact]
    public void A_sample_too_old_to_append_is_accepted_only_when_it_repeats_the_stored_value()
    {
        Assert.Equal(AppendVerdict.SameAsExisting, AppendRules.ResolveTooOld(1, 1));
        Assert.Equal(AppendVerdict.SameAsExisting, AppendRules.ResolveTooOld(double.NaN, double.NaN));
        Assert.Equal(AppendVerdict.TooOld, AppendRules.ResolveTooOld(1, 2));
        Assert.Equal(AppendVerdict.TooOld, AppendRules.ResolveTooOld(null, 1));
    }

    [Theory]
    [InlineData(0, 10, 100, null, null)]
    [InlineData(0, 150, 100, null, null)]
    [InlineData(0, 151, 100, 0L, 100L)]
    [InlineData(-250, 0, 100, -300L, -200L)]
    [InlineData(1234, 99_999, 100, 1200L, 1300L)]
    public void The_head_is_compacted_once_it_spans_more_than_one_and_a_half_blocks(long min, long max, long block, long? start, long? end)
    {
        var range = CompactionRules.NextRange(min, max, block);

        Assert.Equal(start, range?.Start);
        Assert.Equal(end, range?.End);
    }

    [Fact]
    public void Retention_deletes_by_age_then_oldest_first_until_the_size_fits()
    {
        BlockExtent Block(long min, long max, long size) => new(Guid.NewGuid(), min, max, size);
        var old = Block(0, 100, 10);
        var middle = Block(100, 200, 10);
        var recent = Block(200, 300, 10);
        BlockExtent[] blocks = [recent, old, middle];

        Assert.Equal([(old, RetentionReason.Time)], RetentionRules.BlocksToDelete(blocks, 150, 50, null, 0));
        Assert.Equal([(old, RetentionReason.Time), (middle, RetentionReason.Size)], RetentionRules.BlocksToDelete(blocks, 150, 50, 15, 5));
        Assert.Empty(RetentionRules.BlocksToDelete(blocks, 150, 1000, 30, 0));
        Assert.Equal(3, RetentionRules.BlocksToDelete(blocks, 150, 1000, 1, 5).Count);
    }

    [Fact]
    public void Overlapping_blocks_are_merged_first_then_aligned_groups_behind_the_head()
    {
        const long h = 3_600_000;
        BlockExtent Block(long min, long max) => new(Guid.NewGuid(), min * h, max * h, 1);
        var retention = 360 * h; // ranges of 6 h and 18 h qualify (a tenth of retention is 36 h)
        string Plan(long headMin, params BlockExtent[] blocks) =>
            string.Join(' ', CompactionRules.BlocksToMerge(blocks, 2 * h, retention, headMin * h).Select(b => $"{b.MinTime / h}-{b.MaxTime / h}"));

        Assert.Equal("0-2 1-3", Plan(100, Block(0, 2), Block(1, 3), Block(4, 6)));
        Assert.Equal("0-2 2-4 4-6", Plan(6, Block(0, 2), Block(2, 4), Block(4, 6)));
        Assert.Equal("", Plan(5, Block(0, 2), Block(2, 4), Block(4, 6))); // the head still writes into [0, 6)
        Assert.Equal("0-6 6-12 12-18", Plan(18, Block(0, 6), Block(6, 12), Block(12, 18)));
        Assert.Equal("", Plan(100, Block(0, 18), Block(18, 36)));
        Assert.Equal("", Plan(100, Block(0, 2)));
    }
}
