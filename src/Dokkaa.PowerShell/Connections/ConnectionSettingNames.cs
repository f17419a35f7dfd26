using Dokkaa.Core.EtcdAccess;

namespace Dokkaa.PowerShell;

/// <summary>
/// What the module calls each etcd connection setting in its errors: the Connect-DokkaaCluster parameter when the
/// user gave it, else the environment variable it came from, so the message points at what to fix.
/// </summary>
internal static class ConnectionSettingNames
{
    public static EtcdSettingNames Environment { get; } = new(
        "$env:" + EtcdEnvironment.Endpoints, "$env:" + EtcdEnvironment.Ca, "$env:" + EtcdEnvironment.Cert, "$env:" + EtcdEnvironment.Key,
        "$env:" + EtcdEnvironment.User, "$env:" + EtcdEnvironment.PasswordFile, "$env:" + EtcdEnvironment.Password);

    /// <summary>Environment names, with those of the parameters that were given replaced by the parameter.</summary>
    public static EtcdSettingNames For(bool endpoint, bool ca, bool cert, bool key, bool credential, string endpointParameter = "-Endpoint") => Environment with
    {
        Endpoints = endpoint ? endpointParameter : Environment.Endpoints,
        Ca = ca ? "-CaPath" : Environment.Ca,
        Cert = cert ? "-CertificatePath" : Environment.Cert,
        Key = key ? "-KeyPath" : Environment.Key,
        User = credential ? "-Credential" : Environment.User,
        Password = credential ? "-Credential" : Environment.Password,
    };
}
