using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

public class TsdbIndexTests : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private TsdbStore store = null!;

    private static readonly Labels[] Series =
    [
        Labels.Of("__name__", "http_requests_total", "job", "api", "status", "200"),
        Labels.Of("__name__", "http_requests_total", "job", "api", "status", "500"),
        Labels.Of("__name__", "http_requests_total", "job", "web", "status", "503"),
        Labels.Of("__name__", "http_requests_total", "job", "web"),
        Labels.Of("__name__", "up", "job", "db"),
    ];

    public async Task InitializeAsync()
    {
        store = TsdbStore.Open(dir.Path, Manual() with { BlockDuration = TimeSpan.FromHours(1), RetentionTime = TimeSpan.FromDays(36_500) });
        await WriteAsync(store, [.. Series.Select(l => (l, 1000L, 1.0))]);
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        dir.Dispose();
    }

    public static TheoryData<string, MatchType, string, string> Cases => new()
    {
        { "status", MatchType.Equal, "200", "0" },
        { "status", MatchType.Equal, "", "3 4" },
        { "status", MatchType.NotEqual, "200", "1 2 3 4" },
        { "status", MatchType.NotEqual, "", "0 1 2" },
        { "status", MatchType.RegexMatch, "5..", "1 2" },
        { "status", MatchType.RegexMatch, "5..|", "1 2 3 4" },
        { "status", MatchType.RegexMatch, ".*", "0 1 2 3 4" },
        { "status", MatchType.RegexMatch, ".+", "0 1 2" },
        { "status", MatchType.RegexNoMatch, "5..", "0 3 4" },
        { "status", MatchType.RegexNoMatch, ".*", "" },
        { "status", MatchType.RegexNoMatch, "", "0 1 2" },
        { "missing", MatchType.Equal, "", "0 1 2 3 4" },
        { "missing", MatchType.Equal, "x", "" },
        { "job", MatchType.RegexMatch, "api|db", "0 1 4" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_matcher_type_selects_like_prometheus(string name, MatchType type, string value, string expected)
    {
        AssertSelects(expected, new LabelMatcher(name, type, value));
    }

    [Fact]
    public void Matchers_combine_by_intersection()
    {
        AssertSelects("1", LabelMatcher.Equal("__name__", "http_requests_total"), LabelMatcher.Equal("job", "api"), new LabelMatcher("status", MatchType.NotEqual, "200"));
        AssertSelects("3", LabelMatcher.Equal("job", "web"), LabelMatcher.Equal("status", ""));
    }

    [Fact]
    public void Label_names_and_values_come_from_matching_series_in_the_range()
    {
        Assert.Equal(["__name__", "job", "status"], store.LabelNames(0, 2000, []));
        Assert.Equal(["__name__", "job"], store.LabelNames(0, 2000, [LabelMatcher.Equal("__name__", "up")]));
        Assert.Equal(["200", "500", "503"], store.LabelValues("status", 0, 2000, []));
        Assert.Equal(["api", "web"], store.LabelValues("job", 0, 2000, [LabelMatcher.Equal("__name__", "http_requests_total")]));
        Assert.Empty(store.LabelValues("job", 5000, 6000, []));
    }

    [Fact]
    public async Task Selection_is_the_same_once_the_series_are_in_a_block()
    {
        var later = Labels.Of("__name__", "clock", "job", "tick");
        await WriteAsync(store, (later, 3 * Hour, 1));
        await store.RunMaintenanceAsync();
        Assert.Equal(1, store.GetStats().Blocks);

        AssertSelects("1 2", new LabelMatcher("status", MatchType.RegexMatch, "5.."));
        AssertSelects("3 4", LabelMatcher.Equal("status", ""), new LabelMatcher("job", MatchType.NotEqual, "tick"));
        Assert.Equal(["200", "500", "503"], store.LabelValues("status", 0, 2000, []));
    }

    private void AssertSelects(string expected, params LabelMatcher[] matchers)
    {
        var got = store.Select(0, 2000, matchers).Select(s => Array.IndexOf(Series, s.Labels)).Order();
        Assert.Equal(expected, string.Join(' ', got));
    }
}
