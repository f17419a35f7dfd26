namespace Dokkaa.Testing;

/// <summary>How a test's etcd member runs: plain or with TLS, and how often it tells watchers it is alive.</summary>
public sealed record EtcdServerOptions
{
    /// <summary>
    /// Serve TLS with these certificates and require client certificates (--client-cert-auth). The client URL is
    /// then https://.
    /// </summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>How often etcd sends watch progress notifications (its default is 10 minutes; short here so tests see them).</summary>
    public TimeSpan ProgressNotifyInterval { get; init; } = TimeSpan.FromSeconds(2);
}
