namespace Dokkaa.Agent.Docker;

/// <summary>The exceptions for a daemon that cannot be reached or does not answer, with messages that name the endpoint.</summary>
internal static class DockerFailures
{
    public static DockerUnavailableException Unreachable(string endpoint, Exception cause) =>
        new($"Docker daemon at {endpoint} is not reachable: {Innermost(cause).Message}. Is dockerd running and the endpoint right?", cause);

    public static DockerUnavailableException TimedOut(string endpoint, string what, TimeSpan timeout, Exception? cause = null) =>
        new($"Docker daemon at {endpoint} did not answer {what} within {timeout.TotalSeconds:0.#}s.", cause);

    /// <summary>True for the failures of the connection itself, as opposed to an answer the daemon gave.</summary>
    public static bool IsConnectionFailure(Exception exception) =>
        exception is HttpRequestException { StatusCode: null } or IOException;

    // HttpClient wraps the reason ("Connection refused", "... does not exist") in one or more HttpRequestExceptions.
    private static Exception Innermost(Exception exception)
    {
        while (exception is HttpRequestException && exception.InnerException is { } inner)
            exception = inner;
        return exception;
    }
}
