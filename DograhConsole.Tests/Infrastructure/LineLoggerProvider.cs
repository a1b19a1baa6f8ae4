using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>Log lines ("Level Category: message exception") into a queue a test reads.</summary>
public sealed class LineLoggerProvider(ConcurrentQueue<string> lines, LogLevel minimum = LogLevel.Trace) : ILoggerProvider
{
    public LineLoggerProvider() : this(new ConcurrentQueue<string>())
    {
    }

    public ConcurrentQueue<string> Lines { get; } = lines;

    public ILogger CreateLogger(string categoryName) => new LineLogger(categoryName, Lines, minimum);

    public ILogger<T> CreateLogger<T>() => new Logger<T>(new LoggerFactory([this]));

    public void Dispose()
    {
    }

    private sealed class LineLogger(string category, ConcurrentQueue<string> lines, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
