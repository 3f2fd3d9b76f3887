namespace Vigil.Tests.Support;

/// <summary>Finds the repository root (the folder with Vigil.slnx) from the test's output directory.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Vigil.slnx not found above {AppContext.BaseDirectory}");
    }

    /// <summary><c>shared/</c> beside the repository: conformance files and captured fixtures, read in place.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared")) is var shared && Directory.Exists(shared)
        ? shared
        : throw new InvalidOperationException($"shared/ not found beside the repository ({Root}); tests read its fixtures in place.");

    public static string ExampleConfig => Path.Combine(Root, "deploy", "vigil.example.yaml");
}
