using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;

namespace Dokkaa.Testing;

/// <summary>
/// A real etcd that accepts only TLS clients with a certificate from the test CA (--client-cert-auth) and has
/// auth enabled: user root, and user <see cref="User"/> whose role may read and write every key. Clients made
/// by <see cref="CreateClient"/> show the certificate and log in as that user.
/// </summary>
public sealed class SecureEtcdFixture : EtcdFixture
{
    public const string User = "tester";
    public const string Password = "tester-pw";
    private const string RootPassword = "root-pw";

    private TestCertificates? _certificates;

    public TestCertificates Certificates => _certificates!;

    public override GrpcEtcdClient CreateClient(Func<EtcdClientOptions, EtcdClientOptions>? configure = null) =>
        Server.CreateClient(o =>
        {
            var options = o with { Username = User, Password = Password };
            return configure is null ? options : configure(options);
        });

    /// <summary>Compacts as root (compaction needs the root role when auth is on).</summary>
    public override async Task CompactAsync(long revision)
    {
        using var client = CreateClient(o => o with { Username = "root", Password = RootPassword });
        await client.CompactAsync(revision, physical: true).ConfigureAwait(false);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        _certificates?.Dispose();
    }

    protected override async Task<EtcdServer> StartServerAsync()
    {
        _certificates = await TestCertificates.CreateAsync().ConfigureAwait(false);
        var server = await EtcdServer.StartAsync(new EtcdServerOptions { Certificates = _certificates }).ConfigureAwait(false);
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
            await EtcdctlAsync(server, command).ConfigureAwait(false);
        }

        return server;
    }

    private async Task EtcdctlAsync(EtcdServer server, string[] command)
    {
        string[] connection =
        [
            "--endpoints", server.Endpoint, "--cacert", Certificates.CaFile, "--cert", Certificates.ClientCertFile, "--key", Certificates.ClientKeyFile,
        ];
        var result = await ProcessRunner.RunAsync("etcdctl", connection.Concat(command), env: new Dictionary<string, string> { ["ETCDCTL_API"] = "3" }).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"etcdctl {string.Join(' ', command)} failed: {result.All}");
    }
}
