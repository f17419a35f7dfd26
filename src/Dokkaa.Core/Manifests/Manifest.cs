namespace Dokkaa.Core.Manifests;

/// <summary>
/// The desired state of one container group, as an operator writes it into
/// <c>/apps/&lt;app&gt;/&lt;name&gt;/manifest</c>. The JSON shape is the Dokkaa seed's, extended with
/// DaprDockr's http host and with <c>exclusive</c>. Instances are numbered 1..Scale.
/// Instances are immutable; use <c>with</c> to derive a changed copy.
/// </summary>
public sealed partial record Manifest
{
    /// <summary>Docker image reference, e.g. <c>dockerfile/nginx</c> or <c>registry:5000/shop/web:1.2</c>.</summary>
    public required string Image { get; init; }

    /// <summary>Number of instances to run; 0 keeps the manifest and runs nothing.</summary>
    public int Scale { get; init; } = 1;

    /// <summary>Services this container provides, keyed by service name (the seed's <c>{"nginx": 80}</c>).</summary>
    public IReadOnlyDictionary<string, ServicePort> Services { get; init; } = EmptyServices;

    /// <summary>Command and arguments; null keeps the image's default command.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Services this container uses: <c>nginx</c> (same app) or <c>nginx.otherapp</c>.</summary>
    public IReadOnlyList<string> Links { get; init; } = Array.Empty<string>();

    /// <summary>Extra environment variables.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = EmptyEnv;

    /// <summary>HTTP routing by Host header through nginx on every host (DaprDockr's http-host/http-port).</summary>
    public HttpRoute? Http { get; init; }

    /// <summary>At most one copy of each instance, even during a partition (the cut-off host stops its copy).</summary>
    public bool Exclusive { get; init; }

    /// <summary>Host labels an instance needs (<c>{"zone": "eu-1"}</c>): only hosts carrying every one are eligible.</summary>
    public IReadOnlyDictionary<string, string> Constraints { get; init; } = EmptyEnv;

    /// <summary>CPU and memory per instance: a limit on the container and a reservation on the host's capacity.</summary>
    public ResourceRequest? Resources { get; init; }

    /// <summary>The canonical JSON (what PowerShell's list views and string conversion show, instead of the names of collection types).</summary>
    public override string ToString() => ManifestSerializer.ToCanonicalJson(this);

    // Shared by every manifest that sets none: read-only views, so a cast cannot change them all at once.
    internal static readonly IReadOnlyDictionary<string, ServicePort> EmptyServices =
        new Dictionary<string, ServicePort>(StringComparer.Ordinal).AsReadOnly();

    internal static readonly IReadOnlyDictionary<string, string> EmptyEnv =
        new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();
}

/// <summary>A port inside the container published as a named service.</summary>
/// <param name="Port">Container port, 1-65535.</param>
/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
/// <param name="Role">Free-form role tag (the later Dokkaa object form), or null.</param>
public sealed record ServicePort(int Port, string Protocol = "tcp", string? Role = null)
{
    /// <summary><c>80/tcp</c>, or <c>80/tcp (web)</c> with a role.</summary>
    public override string ToString() => $"{Port}/{Protocol}" + (Role is null ? "" : $" ({Role})");
}

/// <summary>CPU (in thousandths of a core) and memory (bytes) one instance needs; 0 means not set.</summary>
public sealed record ResourceRequest(int MilliCpus, long MemoryBytes)
{
    /// <summary><c>0.5 cpus, 268435456 bytes</c>; only what is set.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (MilliCpus > 0)
            parts.Add((MilliCpus / 1000m).ToString(System.Globalization.CultureInfo.InvariantCulture) + " cpus");
        if (MemoryBytes > 0)
            parts.Add(MemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes");
        return parts.Count == 0 ? "(none)" : string.Join(", ", parts);
    }
}

/// <summary>Route requests whose Host header is <paramref name="Host"/> to <paramref name="Port"/> in every instance.</summary>
public sealed record HttpRoute(string Host, int Port)
{
    /// <summary><c>shop.example.com:9000</c>.</summary>
    public override string ToString() => $"{Host}:{Port}";
}
