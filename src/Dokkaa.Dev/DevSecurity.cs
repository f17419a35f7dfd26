using Dokkaa.Core.EtcdAccess;

namespace Dokkaa.Dev;

/// <summary>
/// Where a secured dev cluster keeps its CA, certificates and passwords (<c>WORKDIR/tls</c>), and the users it makes:
/// root (administers auth), agent (role dokkaa-agent: reads everything, writes only under /dokkaa/) and operator
/// (role dokkaa-operator: reads everything, writes manifests under /apps/ and drain and evict requests).
/// </summary>
public sealed class DevSecurity
{
    public const string AgentRole = "dokkaa-agent";
    public const string OperatorRole = "dokkaa-operator";

    public required string Dir { get; set; }

    public required string CaFile { get; set; }

    public required string CaKeyFile { get; set; }

    /// <summary>The members' certificate (server and peer), with the bridge address and 127.0.0.1 as SANs.</summary>
    public required string ServerCertFile { get; set; }

    public required string ServerKeyFile { get; set; }

    public required DevEtcdUser Root { get; set; }

    public required DevEtcdUser Agent { get; set; }

    public required DevEtcdUser Operator { get; set; }

    public IEnumerable<DevEtcdUser> Users => new[] { Root, Agent, Operator };

    public static DevSecurity In(string dir) => new()
    {
        Dir = dir,
        CaFile = Path.Combine(dir, "ca.pem"),
        CaKeyFile = Path.Combine(dir, "ca-key.pem"),
        ServerCertFile = Path.Combine(dir, "server.pem"),
        ServerKeyFile = Path.Combine(dir, "server-key.pem"),
        Root = User(dir, "root", "root"),
        Agent = User(dir, "agent", AgentRole),
        Operator = User(dir, "operator", OperatorRole),
    };

    /// <summary>The connection settings of one user, as the CLI's flags would give them.</summary>
    public EtcdConnectionSettings Settings(DevEtcd etcd, DevEtcdUser user) => new()
    {
        Endpoints = string.Join(',', etcd.Endpoints),
        CaFile = CaFile,
        CertFile = user.CertFile,
        KeyFile = user.KeyFile,
        Username = user.Name,
        PasswordFile = user.PasswordFile,
    };

    /// <summary>The agent's command line flags for this user (the password stays in its file).</summary>
    public IEnumerable<string> Flags(DevEtcdUser user) => new[]
    {
        "--etcd-ca", CaFile, "--etcd-cert", user.CertFile, "--etcd-key", user.KeyFile, "--etcd-user", user.Name, "--etcd-password-file", user.PasswordFile,
    };

    private static DevEtcdUser User(string dir, string name, string role) => new()
    {
        Name = name,
        Role = role,
        CertFile = Path.Combine(dir, $"{name}.pem"),
        KeyFile = Path.Combine(dir, $"{name}-key.pem"),
        PasswordFile = Path.Combine(dir, $"{name}.password"),
    };
}
