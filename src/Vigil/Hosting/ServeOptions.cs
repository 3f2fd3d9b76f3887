namespace Vigil.Hosting;

/// <summary>How to run the server, resolved from flags, environment, config file and defaults (in that order).</summary>
public sealed record ServeOptions
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public string DataDirectory { get; init; } = "data";
    public string Urls { get; init; } = DefaultUrls;
    /// <summary>Empty for SQLite in the data directory; <c>postgres://...</c> for PostgreSQL.</summary>
    public string? Database { get; init; }
    /// <summary>The <c>vigil.yaml</c> to load and reload, if any.</summary>
    public string? ConfigPath { get; init; }
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The metrics store's settings that apply at start (retention, out-of-order window).</summary>
    public Features.Metrics.MetricsSettings Metrics { get; init; } = new();
    /// <summary>The certificate for <c>https://</c> listen addresses (<c>server.tls</c>).</summary>
    public Configuration.TlsSettings? Tls { get; init; }
    /// <summary>How log lines are written: text for people, json (one object a line) for log shippers.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;
    /// <summary>The clock; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary><c>vigil serve --log-format</c>.</summary>
public enum LogFormat
{
    Text,
    Json,
}
