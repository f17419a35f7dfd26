using Dokkaa.Core.EtcdAccess;

namespace Dokkaa.PowerShell;

/// <summary>
/// What the module calls each etcd connection setting in its errors: the environment variable when the value came
/// from there, else the Connect-DokkaaCluster parameter (also for a setting that is missing, since that is where
/// a user of the module gives it), so the message points at what to fix.
/// </summary>
internal static class ConnectionSettingNames
{
    /// <param name="environment">The settings the DOKKAA_ETCD_* variables give.</param>
    /// <param name="given">The TLS and user settings the user gave as parameters (they win over the environment).</param>
    /// <param name="endpointParameter">-Endpoint, -Cluster where a string is converted, or null when the endpoints came from $env:DOKKAA_ETCD.</param>
    public static EtcdSettingNames For(EtcdConnectionSettings environment, EtcdConnectionSettings given, string? endpointParameter)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(given);
        var credentialFromEnvironment = given.Username is null && environment.Username is not null;
        return new EtcdSettingNames(
            endpointParameter ?? "$env:" + EtcdEnvironment.Endpoints,
            Name(given.CaFile, environment.CaFile, EtcdEnvironment.Ca, "-CaPath"),
            Name(given.CertFile, environment.CertFile, EtcdEnvironment.Cert, "-CertificatePath"),
            Name(given.KeyFile, environment.KeyFile, EtcdEnvironment.Key, "-KeyPath"),
            credentialFromEnvironment ? "$env:" + EtcdEnvironment.User : "-Credential",
            "$env:" + EtcdEnvironment.PasswordFile,
            credentialFromEnvironment ? "$env:" + EtcdEnvironment.Password : "-Credential");
    }

    private static string Name(string? given, string? environment, string variable, string parameter) =>
        given is null && environment is not null ? "$env:" + variable : parameter;
}
