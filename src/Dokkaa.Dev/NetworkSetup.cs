using System.Globalization;

namespace Dokkaa.Dev;

/// <summary>
/// The dev cluster's network: a bridge with an address on the machine's side, and per host a network
/// namespace joined to the bridge by a veth pair (eth0 inside, with the host's address and a default route
/// via the bridge). iptables lets the hosts talk to each other and to the machine, and nothing else: the
/// machine's FORWARD policy (DROP, set by Docker) would otherwise drop bridged traffic, and nothing from the
/// namespaces may be routed out to other networks.
/// </summary>
public static class NetworkSetup
{
    public static string NetnsPath(string netns) => $"/var/run/netns/{netns}";

    /// <summary>
    /// The links of the namespace this command runs in, and whether each is administratively up, from
    /// <c>ip -o link</c> (not /sys/class/net, which shows the namespace sysfs was mounted in, not ours).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, bool>> LinksAsync()
    {
        var output = await Sys.CheckAsync("ip", "-o", "link", "show").ConfigureAwait(false);
        var links = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "7: dk-dev-h1@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ..."
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3)
                continue;
            var name = fields[1].TrimEnd(':');
            var at = name.IndexOf('@', StringComparison.Ordinal);
            if (at > 0)
                name = name[..at];
            var flags = fields[2].Trim('<', '>').Split(',');
            links[name] = flags.Contains("UP", StringComparer.Ordinal);
        }

        return links;
    }

    public static async Task<IReadOnlyList<string>> LinksAsync(string prefix) =>
        (await LinksAsync().ConfigureAwait(false)).Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    public static async Task<bool> LinkExistsAsync(string name) => (await LinksAsync().ConfigureAwait(false)).ContainsKey(name);

    /// <summary>up, down (partitioned: the host side of its veth is down) or missing.</summary>
    public static async Task<string> LinkStateAsync(string name) =>
        (await LinksAsync().ConfigureAwait(false)).TryGetValue(name, out var up) ? (up ? "up" : "down") : "missing";

    public static async Task<IReadOnlyList<string>> NamespacesAsync(string prefix)
    {
        var output = await Sys.CheckAsync("ip", "netns", "list").ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0])
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Fails if the cluster's networks overlap anything the machine already routes or has an address in.</summary>
    public static async Task CheckSubnetsFreeAsync(DevPlan plan)
    {
        var routes = await Sys.CheckAsync("ip", "-4", "-o", "route", "show").ConfigureAwait(false);
        var addresses = await Sys.CheckAsync("ip", "-4", "-o", "addr", "show").ConfigureAwait(false);
        var used = new List<(Ipv4Network Net, string Line)>();
        foreach (var line in routes.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var first = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            if (first != "default" && Ipv4Network.TryParseLoose(first, out var net))
                used.Add((net, "route " + line.Trim()));
        }

        foreach (var line in addresses.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var at = Array.IndexOf(tokens, "inet");
            if (at >= 0 && at + 1 < tokens.Length && Ipv4Network.TryParseLoose(tokens[at + 1], out var net) && net.PrefixLength < 32)
                used.Add((net, $"address {tokens[at + 1]} on {tokens[1]}"));
        }

        foreach (var (mine, option) in new[] { (plan.Subnet, "--subnet"), (plan.ContainerSubnet, "--container-subnet") })
        {
            var clash = used.FirstOrDefault(u => u.Net.Overlaps(mine));
            if (clash.Line is not null)
                throw new DevException($"{option} {mine} overlaps this machine's {clash.Line}; choose a free private range with {option}");
        }
    }

    public static async Task CreateBridgeAsync(DevClusterState state)
    {
        var prefix = Ipv4Network.Parse(state.Subnet, "subnet").PrefixLength.ToString(CultureInfo.InvariantCulture);
        await Sys.CheckAsync("ip", "link", "add", state.Bridge, "type", "bridge", "forward_delay", "0").ConfigureAwait(false);
        await Sys.CheckAsync("ip", "addr", "add", $"{state.BridgeAddress}/{prefix}", "dev", state.Bridge).ConfigureAwait(false);
        await Sys.CheckAsync("ip", "link", "set", state.Bridge, "up").ConfigureAwait(false);
    }

    /// <summary>The iptables rules of the cluster (each carries the cluster's comment).</summary>
    public static IReadOnlyList<string[]> Rules(DevClusterState state)
    {
        var comment = new[] { "-m", "comment", "--comment", DevPlan.IptablesComment(state.Name) };
        return new[]
        {
            new[] { "FORWARD", "-i", state.Bridge, "-o", state.Bridge }.Concat(comment).Concat(new[] { "-j", "ACCEPT" }).ToArray(),
            new[] { "FORWARD", "-i", state.Bridge, "!", "-o", state.Bridge }.Concat(comment).Concat(new[] { "-j", "DROP" }).ToArray(),
            new[] { "FORWARD", "!", "-i", state.Bridge, "-o", state.Bridge }.Concat(comment).Concat(new[] { "-j", "DROP" }).ToArray(),
            new[] { "INPUT", "-i", state.Bridge }.Concat(comment).Concat(new[] { "-j", "ACCEPT" }).ToArray(),
        };
    }

    public static async Task AddIptablesRulesAsync(DevClusterState state)
    {
        foreach (var rule in Rules(state))
            await Sys.CheckAsync("iptables", new[] { "-w", "10", "-I", rule[0], "1" }.Concat(rule.Skip(1))).ConfigureAwait(false);
    }

    /// <summary>Deletes every rule in FORWARD and INPUT that carries the cluster's comment; returns how many.</summary>
    public static async Task<int> RemoveIptablesRulesAsync(string name)
    {
        var removed = 0;
        foreach (var line in await IptablesRulesAsync(name).ConfigureAwait(false))
        {
            var tokens = SplitRule(line);
            if (tokens.Count < 2 || tokens[0] != "-A")
                continue;
            var result = await Sys.RunAsync("iptables", new[] { "-w", "10", "-D" }.Concat(tokens.Skip(1))).ConfigureAwait(false);
            if (result.Ok)
                removed++;
        }

        return removed;
    }

    /// <summary>The rules (as <c>iptables -S</c> prints them) that carry the cluster's comment.</summary>
    public static async Task<IReadOnlyList<string>> IptablesRulesAsync(string name)
    {
        var comment = DevPlan.IptablesComment(name);
        var rules = new List<string>();
        foreach (var chain in new[] { "FORWARD", "INPUT" })
        {
            var result = await Sys.RunAsync("iptables", "-w", "10", "-S", chain).ConfigureAwait(false);
            rules.AddRange(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => SplitRule(l).Contains(comment, StringComparer.Ordinal)));
        }

        return rules;
    }

    /// <summary>Splits a rule as <c>iptables -S</c> prints it; it double-quotes some values (comments with a colon).</summary>
    public static IReadOnlyList<string> SplitRule(string line)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                    tokens.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any)
            tokens.Add(current.ToString());
        return tokens;
    }

    /// <summary>Namespace, veth pair into the bridge, address, loopback, default route via the bridge, and the container bridge.</summary>
    public static async Task CreateHostAsync(DevClusterState state, DevHost host)
    {
        var prefix = Ipv4Network.Parse(state.Subnet, "subnet").PrefixLength.ToString(CultureInfo.InvariantCulture);
        await Sys.CheckAsync("ip", "netns", "add", host.Namespace).ConfigureAwait(false);
        await Sys.CheckAsync("ip", "link", "add", host.Veth, "type", "veth", "peer", "name", "eth0", "netns", host.Namespace).ConfigureAwait(false);
        await Sys.CheckAsync("ip", "link", "set", host.Veth, "master", state.Bridge, "up").ConfigureAwait(false);
        await Sys.CheckAsync("ip", "-n", host.Namespace, "addr", "add", $"{host.Address}/{prefix}", "dev", "eth0").ConfigureAwait(false);
        await Sys.CheckAsync("ip", "-n", host.Namespace, "link", "set", "lo", "up").ConfigureAwait(false);
        await Sys.CheckAsync("ip", "-n", host.Namespace, "link", "set", "eth0", "up").ConfigureAwait(false);
        await Sys.CheckAsync("ip", "-n", host.Namespace, "route", "add", "default", "via", state.BridgeAddress).ConfigureAwait(false);
        await Sys.CheckAsync("ip", "-n", host.Namespace, "link", "add", host.ContainerBridge, "type", "bridge").ConfigureAwait(false);
        await Sys.CheckAsync("ip", "-n", host.Namespace, "addr", "add", host.ContainerBridgeAddress, "dev", host.ContainerBridge).ConfigureAwait(false);
        await Sys.CheckAsync("ip", "-n", host.Namespace, "link", "set", host.ContainerBridge, "up").ConfigureAwait(false);
    }

    /// <summary>
    /// The command that runs <paramref name="command"/> inside the named namespace: <c>nsenter --net</c>, then a
    /// check that the process really is in that namespace before it execs the program (same pid). A dockerd
    /// started in the machine's own namespace by mistake would delete and re-create the machine's docker0 and
    /// flush the machine's DOCKER iptables chains, so this is checked twice: here (the namespace file must be a
    /// namespace other than the machine's) and in the started process itself (exit 97 if not).
    /// </summary>
    public static async Task<IReadOnlyList<string>> InNamespaceAsync(string netns, IReadOnlyList<string> command)
    {
        var path = NetnsPath(netns);
        var inode = (await Sys.CheckAsync("stat", "-L", "-c", "%i", path).ConfigureAwait(false)).Trim();
        // The namespace this command runs in (normally the machine's; /proc/1/ns may not be readable).
        var machine = (await Sys.CheckAsync("stat", "-L", "-c", "%i", "/proc/self/ns/net").ConfigureAwait(false)).Trim();
        if (inode.Length == 0 || inode == machine)
            throw new DevException($"{path} is not a network namespace of its own (inode {inode}, this command's is {machine}); refusing to start {command[0]} there");
        var guard = "want=$1; shift; have=$(stat -L -c %i /proc/self/ns/net); " +
            "if [ \"$have\" != \"$want\" ]; then echo \"dokkaa dev: refusing to start $1 in network namespace $have instead of $want\" >&2; exit 97; fi; exec \"$@\"";
        return new[] { "nsenter", $"--net={path}", "sh", "-c", guard, "sh", inode }.Concat(command).ToList();
    }

    /// <summary>Partition (down) or heal (up): the host side of the host's veth.</summary>
    public static Task SetLinkAsync(DevHost host, bool up) => Sys.CheckAsync("ip", "link", "set", host.Veth, up ? "up" : "down");

    /// <summary>Deletes a namespace; retried briefly because the kernel may still hold it for a moment after its processes die.</summary>
    public static async Task DeleteNamespaceAsync(string netns)
    {
        for (var attempt = 0; File.Exists(NetnsPath(netns)); attempt++)
        {
            var result = await Sys.RunAsync("ip", "netns", "del", netns).ConfigureAwait(false);
            if (result.Ok || !File.Exists(NetnsPath(netns)))
                return;
            if (attempt >= 20)
                throw new DevException($"could not delete network namespace {netns}: {result.StdErr.Trim()}");
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    public static async Task DeleteLinkAsync(string name)
    {
        if (!await LinkExistsAsync(name).ConfigureAwait(false))
            return;
        var result = await Sys.RunAsync("ip", "link", "del", name).ConfigureAwait(false);
        if (!result.Ok && await LinkExistsAsync(name).ConfigureAwait(false))
            throw new DevException($"could not delete link {name}: {result.StdErr.Trim()}");
    }
}
