namespace Vigil.Configuration;

/// <summary>An area that takes its part of a new configuration (e.g. the catalog syncs its services).</summary>
public interface IConfigConsumer
{
    /// <summary>Applies a validated configuration. Throwing rejects the reload.</summary>
    Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken);
}

public sealed record ReloadResult(bool Applied, IReadOnlyList<ConfigError> Errors, string? Message = null);

/// <summary>
/// Whether the configuration being applied may write the objects its file defines (services,
/// monitors, schedules, escalation policies, SLOs, status pages, maintenance windows) into the
/// database that every replica shares. A replica whose file differs from the one the live replicas
/// run applies its own in-memory settings but leaves those objects as they are, so it cannot win by
/// starting last (docs/ha.md); a consumer that writes them checks <see cref="Writable"/> first.
/// </summary>
public static class SharedObjects
{
    private static readonly AsyncLocal<bool> Withheld = new();

    /// <summary>False while a configuration is applied that must not write the shared objects.</summary>
    public static bool Writable => !Withheld.Value;

    internal static void Withhold(bool withhold) => Withheld.Value = withhold;
}

/// <summary>
/// Holds the configuration in force and replaces it on reload (SIGHUP or <c>POST /-/reload</c>).
/// A configuration that fails validation is rejected whole: nothing of it is applied and the
/// previous one keeps serving.
/// </summary>
public sealed class ConfigReloader(string? path, IEnumerable<IConfigConsumer> consumers, ILogger<ConfigReloader> logger, string? listen = null)
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public LoadedConfig Current { get; private set; } = LoadedConfig.Empty;

    public string? Path => path;

    /// <summary>True once a configuration has been applied (at start); <c>/health/ready</c> waits for it.</summary>
    public bool Loaded { get; private set; }

    /// <summary>
    /// Loads the file (or an empty config when there is none) and applies it. When
    /// <paramref name="mayWriteSharedObjects"/> says no for the loaded file, the consumers apply it
    /// with <see cref="SharedObjects.Writable"/> false.
    /// </summary>
    public async Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken, Func<LoadedConfig, CancellationToken, Task<bool>>? mayWriteSharedObjects = null)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var loaded = path is null ? LoadedConfig.Empty : ConfigLoader.Load(path, listen: listen);
            if (!loaded.IsValid)
            {
                foreach (var error in loaded.Errors)
                {
                    logger.LogError("Configuration rejected: {Error}", error);
                }
                return new ReloadResult(false, loaded.Errors, "configuration is invalid; the previous configuration stays in force");
            }
            var writable = mayWriteSharedObjects is null || await mayWriteSharedObjects(loaded, cancellationToken);
            if (!writable)
            {
                logger.LogWarning(
                    "Configuration {Path} ({Fingerprint}) differs from the one the live replicas run: its services, monitors, schedules and other objects are not written to the shared database; run the same file everywhere and reload (docs/ha.md)",
                    path, loaded.Fingerprint);
            }
            SharedObjects.Withhold(!writable);
            try
            {
                foreach (var consumer in consumers)
                {
                    await consumer.ApplyAsync(loaded.Config, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Configuration could not be applied");
                return new ReloadResult(false, [], $"configuration could not be applied: {e.Message}");
            }
            finally
            {
                SharedObjects.Withhold(false);
            }
            Current = loaded;
            Loaded = true;
            logger.LogInformation("Configuration loaded from {Path} ({Services} services)", path ?? "(none)", loaded.Config.Services.Count);
            return new ReloadResult(true, []);
        }
        finally
        {
            gate.Release();
        }
    }
}
