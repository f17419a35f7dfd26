using Docker.DotNet.Models;

namespace Dokkaa.Agent.Docker;

/// <summary>
/// Watches the progress of a pull for the error a daemon reports inside a stream that already said 200
/// (<c>{"errorDetail": {...}, "error": "..."}</c>): Docker.DotNet hands such a line over as progress, not as an exception.
/// </summary>
internal sealed class PullErrorWatch : IProgress<JSONMessage>
{
    /// <summary>The first error the daemon reported; null while there is none.</summary>
    public string? Error { get; private set; }

    public void Report(JSONMessage value)
    {
        if (Error is null && !string.IsNullOrEmpty(value.Error?.Message))
            Error = value.Error.Message;
    }
}
