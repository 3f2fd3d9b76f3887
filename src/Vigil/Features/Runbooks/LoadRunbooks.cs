using Vigil.Configuration;

namespace Vigil.Features.Runbooks;

/// <summary>
/// Reads the runbooks directory (every <c>*.md</c>, not recursive) when the configuration is loaded
/// and by <c>vigil runbook check</c>. A missing default directory is no error (no runbooks yet); a
/// directory the configuration names must exist.
/// </summary>
public static class LoadRunbooks
{
    /// <summary>Loads <see cref="RunbookSettings.Directory"/> (relative to the config file) into <see cref="RunbookSettings.Loaded"/>.</summary>
    public static IReadOnlyList<ConfigError> Load(RunbookSettings settings, string configFile)
    {
        var directory = DirectoryOf(settings, configFile);
        if (!System.IO.Directory.Exists(directory))
        {
            return settings.Directory == RunbookSettings.DefaultDirectory ? [] : [new ConfigError(configFile, 0, 0, $"runbooks.directory: no such directory: {directory}")];
        }
        var (runbooks, errors) = LoadPaths([directory], settings);
        settings.Loaded = runbooks;
        return errors;
    }

    public static string DirectoryOf(RunbookSettings settings, string configFile) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configFile))!, settings.Directory);

    /// <summary>Each path is a runbook file or a directory of them.</summary>
    public static (IReadOnlyList<Runbook> Runbooks, IReadOnlyList<ConfigError> Errors) LoadPaths(IEnumerable<string> paths, RunbookSettings settings)
    {
        var runbooks = new List<Runbook>();
        var errors = new List<ConfigError>();
        foreach (var path in paths)
        {
            var files = System.IO.Directory.Exists(path)
                ? System.IO.Directory.GetFiles(path, "*.md").Order(StringComparer.Ordinal).ToArray()
                : [path];
            foreach (var file in files)
            {
                string text;
                try
                {
                    text = File.ReadAllText(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors.Add(new ConfigError(file, 0, 0, $"cannot read: {e.Message}"));
                    continue;
                }
                var name = Path.GetFileNameWithoutExtension(file);
                var (runbook, fileErrors) = ParseRunbook.Parse(file, name, text, settings);
                errors.AddRange(fileErrors);
                if (runbooks.Any(r => r.Name == name))
                {
                    errors.Add(new ConfigError(file, 1, 1, $"another runbook is named \"{name}\""));
                }
                else if (fileErrors.Count == 0)
                {
                    runbooks.Add(runbook);
                }
            }
        }
        return (runbooks, errors);
    }

    /// <summary>Field rules of the section itself (the files are checked by <see cref="Load"/>).</summary>
    public static IEnumerable<FieldError> Validate(RunbookSettings settings)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Commands.Count; i++)
        {
            var command = settings.Commands[i];
            if (command.Name is not null && !seen.Add(command.Name))
            {
                yield return new FieldError($"runbooks.commands[{i}].name", $"duplicate command name \"{command.Name}\"");
            }
            if (command.Run.Count == 0 || string.IsNullOrWhiteSpace(command.Run[0]))
            {
                yield return new FieldError($"runbooks.commands[{i}].run", "needs the program to run and its arguments, e.g. [\"/usr/bin/vacuumdb\", \"--all\"]");
            }
        }
        for (var i = 0; i < settings.Http.Count; i++)
        {
            if (!Uri.TryCreate(settings.Http[i], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                yield return new FieldError($"runbooks.http[{i}]", $"\"{settings.Http[i]}\" is not an absolute http(s) URL");
            }
        }
    }
}
