using Xunit;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// Integration tests share the machine's dockerd (and one of them restarts it), so they run one at a
/// time (parallelisation is off for this assembly).
/// </summary>
[CollectionDefinition(Name)]
public sealed class AgentCollection
{
    public const string Name = "real docker";
}
