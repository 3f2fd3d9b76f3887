using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vigil.Tests.Hosting;

/// <summary>A logger provider that keeps every line the server logs, to assert what an operator would read.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string EventName, string Message, string? Exception = null);

    private readonly ConcurrentQueue<Entry> entries = new();

    public IReadOnlyList<Entry> Entries => [.. entries];

    public IEnumerable<string> Lines(string eventName) => Entries.Where(e => e.EventName == eventName).Select(e => e.Message);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.entries.Enqueue(new Entry(category, logLevel, eventId.Name ?? "", formatter(state, exception), exception?.ToString()));
    }
}
