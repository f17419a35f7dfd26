namespace Dokkaa.Agent.Fencing;

/// <summary>What the fence process concluded: open (exclusive instances may run for <see cref="OpenFor"/> more) or closed, and why.</summary>
public sealed record FenceVerdict(bool IsOpen, TimeSpan OpenFor, string Reason)
{
    public static FenceVerdict Open(TimeSpan openFor) => new(true, openFor, "lease renewed recently");

    public static FenceVerdict Closed(string reason) => new(false, TimeSpan.Zero, reason);
}
