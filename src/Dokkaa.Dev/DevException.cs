namespace Dokkaa.Dev;

/// <summary>A dev cluster operation that cannot go on; the message is what the operator reads, on one line or a few.</summary>
public sealed class DevException : Exception
{
    public DevException(string message)
        : base(message)
    {
    }

    public DevException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
