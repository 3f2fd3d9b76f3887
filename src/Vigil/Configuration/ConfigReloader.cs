namespace Vigil.Configuration;

/// <summary>An area that takes its part of a new configuration (e.g. the catalog syncs its services).</summary>
public interface IConfigConsumer
{
    /// <summary>Applies a validated configuration. Throwing rejects the reload.</summary>
    Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken);
}

public sealed record ReloadResult(bool Applied, IReadOnlyList<ConfigError> Errors, string? Message = null);

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

    /// <summary>Loads the file (or an empty config when there is none) and applies it.</summary>
    public async Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken)
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
