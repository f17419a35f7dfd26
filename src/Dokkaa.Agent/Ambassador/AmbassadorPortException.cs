namespace Dokkaa.Agent.Ambassador;

/// <summary>
/// A link could not get an ambassador port on this host (the range is used up, or every port tried is held by
/// another process). The instance that needs it reports the message in its claim and is retried with backoff.
/// </summary>
public sealed class AmbassadorPortException(string message) : Exception(message);
