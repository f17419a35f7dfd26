using System.Text.Json;
using Docker.DotNet;

namespace Dokkaa.Agent.Docker;

/// <summary>
/// Turns what Docker.DotNet throws into Dokkaa's Docker exceptions, with messages that name the endpoint:
/// a connection that fails or a daemon that does not answer in time is <see cref="DockerUnavailableException"/>,
/// 404 is <see cref="DockerNotFoundException"/>, any other answer <see cref="DockerException"/> with its status.
/// </summary>
internal static class DockerFailures
{
    public static DockerUnavailableException Unreachable(DockerEndpoint endpoint, Exception cause) =>
        new($"Docker daemon at {endpoint.Name} is not reachable: {Reason(endpoint, cause)}. Is dockerd running and the endpoint right?", cause);

    public static DockerUnavailableException TimedOut(DockerEndpoint endpoint, string what, TimeSpan timeout, Exception? cause = null) =>
        new($"Docker daemon at {endpoint.Name} did not answer {what} within {timeout.TotalSeconds:0.#}s.", cause);

    /// <summary>True for the failures of the connection itself, as opposed to an answer the daemon gave.</summary>
    public static bool IsConnectionFailure(Exception exception) =>
        exception is HttpRequestException { StatusCode: null } or IOException;

    /// <summary>
    /// The exception for an answer the daemon gave. <paramref name="notFound"/> names what a 404 means for this
    /// call (the daemon's own text is kept after it); null: the generic "failed" message.
    /// </summary>
    public static DockerException Answer(DockerEndpoint endpoint, string what, DockerApiException answer, string? notFound = null)
    {
        var status = (int)answer.StatusCode;
        var message = DaemonMessage(answer);
        if (status == 404 && notFound is not null)
            return new DockerNotFoundException($"{notFound} ({message})");
        if (status == 400 && message.Contains("is too new", StringComparison.Ordinal))
        {
            // An older daemon refuses every request that names a newer API version: say what is needed.
            return new DockerTooOldException(
                $"Docker daemon at {endpoint.Name} is too old for Dokkaa: it answered \"{message}\". Dokkaa speaks Docker Engine API {DockerEndpoint.ApiVersion} (Docker 20.10 or newer).");
        }

        return status == 404
            ? new DockerNotFoundException($"{what} failed (404): {message}")
            : new DockerException($"{what} failed ({status}): {message}", status);
    }

    /// <summary>The daemon's <c>{"message": ...}</c>, or the raw body when it is not that.</summary>
    public static string DaemonMessage(DockerApiException answer)
    {
        var text = answer.ResponseBody ?? "";
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                return m.GetString()!;
        }
        catch (JsonException)
        {
            // Not JSON (a proxy in between, an old daemon): the text itself is the best message there is.
        }

        return string.IsNullOrWhiteSpace(text) ? answer.StatusCode.ToString() : text.Trim();
    }

    private static string Reason(DockerEndpoint endpoint, Exception cause)
    {
        // .NET reports a missing socket file as "Cannot assign requested address"; say what is wrong.
        if (endpoint.SocketPath is { } path && !File.Exists(path))
            return $"{path} does not exist";
        // HttpClient wraps the reason ("Connection refused") in one or more HttpRequestExceptions.
        while (cause is HttpRequestException && cause.InnerException is { } inner)
            cause = inner;
        return cause.Message;
    }
}
