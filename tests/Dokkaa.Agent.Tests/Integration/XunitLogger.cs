using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>Agent logs into the test's output, so a failing integration test shows what the agent did.</summary>
public sealed class XunitLoggerProvider : ILoggerProvider
{
    private readonly ITestOutputHelper _output;
    private readonly string _prefix;

    public XunitLoggerProvider(ITestOutputHelper output, string prefix)
    {
        _output = output;
        _prefix = prefix;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(_output, _prefix);

    public void Dispose()
    {
    }

    private sealed class Logger : ILogger
    {
        private readonly ITestOutputHelper _output;
        private readonly string _prefix;

        public Logger(ITestOutputHelper output, string prefix)
        {
            _output = output;
            _prefix = prefix;
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{_prefix}] {logLevel}: {formatter(state, exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; late log lines have nowhere to go.
            }
        }
    }
}
