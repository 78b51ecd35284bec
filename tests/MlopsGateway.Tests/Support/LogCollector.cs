using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MlopsGateway.Tests.Support;

/// <summary>Captures every formatted log message (and exception text) so tests can prove no secret is logged.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Messages.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
