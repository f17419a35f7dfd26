namespace Dokkaa.Cluster.Tests.Support;

/// <summary>One kill: how long until every instance ran again on the live hosts, and how many had to move.</summary>
public sealed record FailoverTrial(TimeSpan Took, int Moved);
