using Dokkaa.Dev;

namespace Dokkaa.Testing.Dev;

/// <summary>
/// What exists on the machine: namespaces, links, mount points, processes, iptables rules, cgroups. Taken before
/// <c>dev up</c> and after <c>dev down</c> so that a test can say what its cluster left behind.
/// </summary>
public sealed record MachineSnapshot(
    IReadOnlySet<string> Namespaces,
    IReadOnlySet<string> Links,
    IReadOnlySet<string> Mounts,
    IReadOnlySet<string> Processes,
    IReadOnlySet<string> IptablesRules,
    IReadOnlySet<string> Cgroups)
{
    public static async Task<MachineSnapshot> TakeAsync()
    {
        var netns = (await ProcessRunner.RunAsync("ip", "netns", "list")).StdOut;
        var rules = (await ProcessRunner.RunAsync("iptables", "-w", "10", "-S")).StdOut;
        return new MachineSnapshot(
            Lines(netns).Select(l => l.Split(' ')[0]).ToHashSet(StringComparer.Ordinal),
            Directory.EnumerateFileSystemEntries("/sys/class/net").Select(p => Path.GetFileName(p)!).ToHashSet(StringComparer.Ordinal),
            File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).ToHashSet(StringComparer.Ordinal),
            ProcessTable.All().Where(ProcessTable.IsAlive).Select(p => $"{p} {ProcessTable.CommandLine(p)}").ToHashSet(StringComparer.Ordinal),
            Lines(rules).ToHashSet(StringComparer.Ordinal),
            Directory.EnumerateDirectories("/sys/fs/cgroup").Prepend("/sys/fs/cgroup")
                .SelectMany(d => Directory.EnumerateDirectories(d)).ToHashSet(StringComparer.Ordinal));
    }

    public MachineSnapshot Without(MachineSnapshot before) => new(
        Namespaces.Except(before.Namespaces).ToHashSet(), Links.Except(before.Links).ToHashSet(), Mounts.Except(before.Mounts).ToHashSet(),
        Processes.Except(before.Processes).ToHashSet(), IptablesRules.Except(before.IptablesRules).ToHashSet(), Cgroups.Except(before.Cgroups).ToHashSet());

    public string Describe() =>
        $"namespaces [{string.Join(", ", Namespaces)}], links [{string.Join(", ", Links)}], {Mounts.Count} mounts [{string.Join(", ", Mounts.Take(5))}], " +
        $"{Processes.Count} processes [{string.Join(", ", Processes.Take(5).Select(p => p.Length > 100 ? p[..100] : p))}], iptables [{string.Join(", ", IptablesRules)}], cgroups [{string.Join(", ", Cgroups)}]";

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
