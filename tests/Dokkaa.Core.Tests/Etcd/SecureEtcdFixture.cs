using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>
/// A real etcd that accepts only TLS clients with a certificate from the test CA (--client-cert-auth) and has
/// auth enabled: user root, and user <see cref="User"/> whose role may read and write every key. Clients made
/// by <see cref="CreateClient"/> show the certificate and log in as that user.
/// </summary>
public sealed class SecureEtcdFixture : IAsyncLifetime
{
    public const string User = "tester";
    public const string Password = "tester-pw";
    private const string RootPassword = "root-pw";

    private TestCertificates? _certificates;

    public EtcdFixture Etcd { get; private set; } = null!;

    public TestCertificates Certificates => _certificates!;

    public Uri ClientUrl => Etcd.ClientUrl;

    public async Task InitializeAsync()
    {
        _certificates = await TestCertificates.CreateAsync();
        Etcd = new EtcdFixture { Certificates = _certificates };
        await Etcd.StartAsync();
        foreach (var command in new[]
        {
            new[] { "user", "add", $"root:{RootPassword}" },
            ["user", "add", $"{User}:{Password}"],
            ["role", "add", "readwrite-all"],
            ["role", "grant-permission", "readwrite-all", "--prefix=true", "readwrite", "/"],
            ["user", "grant-role", User, "readwrite-all"],
            ["auth", "enable"],
        })
        {
            await EtcdctlAsync(command);
        }
    }

    /// <summary>A client with the certificate and the test user; <paramref name="configure"/> may change either.</summary>
    public GrpcEtcdClient CreateClient(Func<EtcdClientOptions, EtcdClientOptions>? configure = null)
    {
        var options = new EtcdClientOptions([ClientUrl])
        {
            RequestTimeout = TimeSpan.FromSeconds(5),
            CaFile = Certificates.CaFile,
            CertFile = Certificates.ClientCertFile,
            KeyFile = Certificates.ClientKeyFile,
            Username = User,
            Password = Password,
        };
        return EtcdClients.Create(configure is null ? options : configure(options));
    }

    /// <summary>Compacts as root (compaction needs the root role when auth is on).</summary>
    public async Task CompactAsync(long revision)
    {
        using var client = CreateClient(o => o with { Username = "root", Password = RootPassword });
        await client.CompactAsync(revision, physical: true).ConfigureAwait(false);
    }

    public Task DisposeAsync()
    {
        Etcd?.Dispose();
        _certificates?.Dispose();
        return Task.CompletedTask;
    }

    private async Task EtcdctlAsync(string[] command)
    {
        string[] connection =
        [
            "--endpoints", ClientUrl.ToString(), "--cacert", Certificates.CaFile, "--cert", Certificates.ClientCertFile, "--key", Certificates.ClientKeyFile,
        ];
        var result = await ProcessRunner.RunAsync("etcdctl", connection.Concat(command), env: new Dictionary<string, string> { ["ETCDCTL_API"] = "3" });
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"etcdctl {string.Join(' ', command)} failed: {result.All}");
    }
}
