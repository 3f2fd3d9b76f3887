using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

/// <summary>
/// Selection over postings lists of very different sizes (one service's thousand series against
/// a name's ten thousand, a regex over a few status codes), where the index searches rather than
/// walks; the answer must be exactly the series whose labels satisfy every matcher.
/// </summary>
public class TsdbLargeSelectionTests : IAsyncLifetime
{
    private static readonly string[] Statuses = ["200", "201", "204", "301", "400", "404", "429", "500", "502", "503"];
    private readonly TempDirectory dir = new();
    private readonly List<Labels> series = [];
    private TsdbStore store = null!;

    public async Task InitializeAsync()
    {
        store = TsdbStore.Open(dir.Path, Manual());
        for (var s = 0; s < 10; s++)
        {
            for (var i = 0; i < 100; i++)
            {
                foreach (var status in Statuses)
                {
                    // Every 7th series lacks the status label, so matchers that match "" are tested too.
                    series.Add(series.Count % 7 == 3
                        ? Labels.Of("__name__", "http_requests_total", "instance", $"host-{i}", "service", $"svc-{s}")
                        : Labels.Of("__name__", "http_requests_total", "instance", $"host-{i}", "service", $"svc-{s}", "status", status));
                }
            }
        }
        series.Add(Labels.Of("__name__", "up", "service", "svc-1"));
        await WriteAsync(store, [.. series.Distinct().Select(l => (l, 1000L, 1.0))]);
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        dir.Dispose();
    }

    public static TheoryData<string> Selectors => new()
    {
        "service=svc-3 status=~5..",
        "instance=host-42 status=~5..",
        "__name__=http_requests_total instance=host-42 status=~5..|",
        "__name__=http_requests_total service=svc-3 status=~5..",
        "__name__=http_requests_total service=svc-3 instance=host-42",
        "__name__=http_requests_total status=~5..",
        "status=~5.. instance=~host-(1|2)",
        "service=svc-3 status=~5..|",
        "service=svc-3 status!~2..",
        "service=~svc-[12] status=~4..|5.. instance=host-7",
        "__name__=up service=~svc-.*",
    };

    [Theory]
    [MemberData(nameof(Selectors))]
    public void A_selection_returns_exactly_the_series_whose_labels_match(string selector)
    {
        var matchers = selector.Split(' ').Select(Parse).ToArray();
        var expected = series.Distinct().Where(l => matchers.All(m => m.Matches(l.Get(m.Name)))).Order(Comparer<Labels>.Create(Labels.Compare)).ToList();
        var actual = All(store, matchers).Select(s => s.Labels).Order(Comparer<Labels>.Create(Labels.Compare)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private static LabelMatcher Parse(string text)
    {
        foreach (var (op, type) in new[] { ("=~", MatchType.RegexMatch), ("!~", MatchType.RegexNoMatch), ("!=", MatchType.NotEqual), ("=", MatchType.Equal) })
        {
            var at = text.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                return new LabelMatcher(text[..at], type, text[(at + op.Length)..]);
            }
        }
        throw new ArgumentException(text);
    }
}
