namespace Dokkaa.Testing;

/// <summary>
/// Thrown by a probe when waiting longer cannot help (the process it waits for has exited): <see cref="Poll"/>
/// lets it through at once instead of asking again until the deadline.
/// </summary>
public sealed class PollGiveUpException(string message) : Exception(message);
