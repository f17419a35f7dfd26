namespace Dokkaa.Dev;

/// <summary>
/// Notices if starting a dev host's dockerd touched the machine's own docker0 (the bridge of the machine's
/// Docker, in the namespace this command runs in). That must never happen: every dockerd of the cluster is
/// started inside its host's namespace and checked to be there before it runs, and none manages a docker0. If it
/// happened anyway, the containers of the machine's Docker lost their bridge, so this fails loudly rather than
/// carry on.
/// </summary>
public sealed class MachineTripwire
{
    private const string Docker0 = "/sys/class/net/docker0";

    private readonly string? _before;

    private MachineTripwire(string? before) => _before = before;

    public static MachineTripwire Arm() => new(Describe());

    public void Check(string what)
    {
        var now = Describe();
        if (now != _before)
        {
            throw new DevException($"the machine's docker0 changed while {what} ({_before ?? "absent"} -> {now ?? "absent"}): a dockerd of the dev cluster " +
                "ran outside its namespace. The machine's Docker containers may have lost their bridge and Docker's iptables chains; " +
                "take the cluster down (`dokkaa dev down`) and restart the machine's dockerd or re-attach its containers' veths to docker0");
        }
    }

    /// <summary>docker0's interface index and addresses, or null if the machine has no docker0.</summary>
    private static string? Describe()
    {
        try
        {
            var index = File.ReadAllText(Path.Combine(Docker0, "ifindex")).Trim();
            var address = File.ReadAllText(Path.Combine(Docker0, "address")).Trim();
            return $"index {index}, {address}";
        }
        catch (IOException)
        {
            return null;
        }
    }
}
