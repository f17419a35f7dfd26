using Xunit;

namespace Dokkaa.WebConsole.Tests.Support;

/// <summary>A test that runs a real dokkaa-agent, so it needs Docker: skipped, saying why, where there is none.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public const string DockerSocket = "/var/run/docker.sock";

    public DockerFactAttribute()
    {
        if (MissingReason is { } reason)
            Skip = reason;
    }

    /// <summary>Why an agent test cannot run here, or null when it can.</summary>
    public static string? MissingReason =>
        File.Exists(DockerSocket) ? null : $"SKIPPED: agent test not run, no Docker daemon at {DockerSocket} (scripts/setup.sh starts one)";
}
