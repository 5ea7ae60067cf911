using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>Collects what the server logs, so tests can assert that bad input was reported.</summary>
public sealed class TestLogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LoggedEvent> _events = new();

    public IReadOnlyList<LoggedEvent> Events => _events.ToList();

    /// <summary>Waits (with a deadline) for an event whose message contains every one of <paramref name="fragments"/>.</summary>
    public Task WaitForAsync(params string[] fragments) =>
        Eventually.Until(
            () => Events.Any(e => fragments.All(f => e.Message.Contains(f, StringComparison.Ordinal))),
            $"a log event containing {string.Join(" and ", fragments.Select(f => $"'{f}'"))}");

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
