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

    public static string ExampleConfig => Path.Combine(Root, "deploy", "vigil.example.yaml");
}
