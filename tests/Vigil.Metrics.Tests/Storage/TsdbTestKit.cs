using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.Tests.Storage;

/// <summary>A directory under the temp folder that is deleted after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vigil-tsdb-" + Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

internal static class TsdbTestKit
{
    public const long Minute = 60_000;
    public const long Hour = 60 * Minute;

    /// <summary>Options for tests: no background timer.</summary>
    public static TsdbOptions Manual(TimeProvider? clock = null) => new() { MaintenanceInterval = null, TimeProvider = clock ?? TimeProvider.System };

    public static async Task<AppendResult> WriteAsync(ISampleStore store, params (Labels Labels, long T, double V)[] samples)
    {
        var app = store.Appender();
        foreach (var (labels, t, v) in samples)
        {
            app.Append(labels, t, v);
        }
        return await app.CommitAsync();
    }

    public static IReadOnlyList<Series> All(ISampleQuerier store, params LabelMatcher[] matchers) =>
        [.. store.Select(long.MinValue, long.MaxValue, matchers.Length == 0 ? [new LabelMatcher("__name__", MatchType.RegexMatch, ".+")] : matchers)
            .OrderBy(s => s.Labels, Comparer<Labels>.Create(Labels.Compare))];

    public static List<Sample> SamplesOf(ISampleQuerier store, Labels labels) =>
        [.. All(store).Where(s => s.Labels.Equals(labels)).SelectMany(s => s.Samples)];

    /// <summary>Copies a store's directory as a crash would leave it: whatever the OS has, no clean shutdown.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            using var src = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var dst = File.Create(file.Replace(from, to, StringComparison.Ordinal));
            src.CopyTo(dst);
        }
    }
}
