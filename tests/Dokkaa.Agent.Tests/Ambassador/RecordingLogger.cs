using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Tests.Ambassador;

/// <summary>Keeps every line logged at warning or above, to count what a component writes.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<string> _warnings = new();

    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_warnings)
                return _warnings.ToList();
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel < LogLevel.Warning)
            return;
        lock (_warnings)
            _warnings.Add(formatter(state, exception));
    }
}
