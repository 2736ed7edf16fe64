using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeFence.AspNetCore.Tests.Infrastructure;

/// <summary>A real logger provider that keeps every event, at every level, for the test to read.</summary>
public sealed class CollectingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LoggedEvent> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CollectingLogger(categoryName, Events);

    public void Dispose()
    {
    }

    private sealed class CollectingLogger(string category, ConcurrentQueue<LoggedEvent> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => events.Enqueue(new LoggedEvent(category, logLevel, eventId.Id, formatter(state, exception)));
    }
}
