namespace Dokkaa.Core.EtcdAccess;

/// <summary>
/// What each connection setting is called on one face, so that an error names the flag (or cmdlet parameter)
/// the user typed: "--etcd-cert" for the CLI and the agent, "-CertificatePath" for Connect-DokkaaCluster.
/// </summary>
public sealed record EtcdSettingNames(string Endpoints, string Ca, string Cert, string Key, string User, string PasswordFile, string Password)
{
    /// <summary>The command line flags of dokkaa-agent, dokkaa and dokkaa console.</summary>
    public static EtcdSettingNames Flags { get; } = new(
        "--etcd", "--etcd-ca", "--etcd-cert", "--etcd-key", "--etcd-user", "--etcd-password-file", "$" + EtcdEnvironment.Password);
}
