using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>Collects what the server logs, so tests can assert that bad input was reported.</summary>
public sealed class TestLogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LoggedEvent> _events = new();

    public IReadOnlyList<LoggedEvent> Events => _events.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record LoggedEvent(string Category, LogLevel Level, string Message);

    private sealed class Logger(TestLogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._events.Enqueue(new LoggedEvent(category, logLevel, formatter(state, exception)));
    }
}
