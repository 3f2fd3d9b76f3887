namespace Vigil.Metrics.Tests.RemoteWrite;

/// <summary>Finds the shared fixtures (<c>../shared/fixtures</c> from the repository root) by walking up from the test binaries.</summary>
internal static class Fixtures
{
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "fixtures", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"fixture {relative} not found above {AppContext.BaseDirectory}");
    }
}
