namespace Dokkaa.Dev;

/// <summary>
/// One etcd user of a secured dev cluster: its client certificate (CN = the user name) and key, and the file with
/// its generated password. Every file is 0600, owned by root (dokkaa dev runs as root).
/// </summary>
public sealed class DevEtcdUser
{
    public required string Name { get; set; }

    /// <summary>The etcd role granted to the user (root for root).</summary>
    public required string Role { get; set; }

    public required string CertFile { get; set; }

    public required string KeyFile { get; set; }

    public required string PasswordFile { get; set; }
}
