namespace Dokkaa.Core.EtcdAccess;

/// <summary>
/// The environment variables every face (agent, CLI, console, PowerShell module) reads the etcd connection
/// from when no flag or parameter says otherwise, so that one systemd environment file configures them all.
/// </summary>
public static class EtcdEnvironment
{
    /// <summary>Comma separated client URLs.</summary>
    public const string Endpoints = "DOKKAA_ETCD";

    /// <summary>PEM file of the CA that signed etcd's server certificates.</summary>
    public const string Ca = "DOKKAA_ETCD_CA";

    /// <summary>PEM client certificate.</summary>
    public const string Cert = "DOKKAA_ETCD_CERT";

    /// <summary>PEM private key of the client certificate.</summary>
    public const string Key = "DOKKAA_ETCD_KEY";

    /// <summary>etcd user name.</summary>
    public const string User = "DOKKAA_ETCD_USER";

    /// <summary>The password itself (never a command line flag: a command line is visible to every user of the machine).</summary>
    public const string Password = "DOKKAA_ETCD_PASSWORD";

    /// <summary>A file holding the password (first line).</summary>
    public const string PasswordFile = "DOKKAA_ETCD_PASSWORD_FILE";

    /// <summary>Where etcd is when nothing says otherwise.</summary>
    public const string DefaultEndpoint = "http://127.0.0.1:2379";

    /// <summary>A variable's value, or null when it is unset or empty (an empty variable in an env file means "not set").</summary>
    public static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// The endpoints when no flag or parameter names any: <see cref="Endpoints"/> when it is set, else
    /// <see cref="DefaultEndpoint"/>. Every face (agent, CLI, console, module) asks here.
    /// </summary>
    public static string EndpointsOrDefault() => Read(Endpoints) ?? DefaultEndpoint;
}
