using Dokkaa.Core.Etcd;

namespace Dokkaa.Core.EtcdAccess;

/// <summary>
/// The etcd connection as a face was given it (flags, cmdlet parameters, environment), before it is checked.
/// <see cref="ToOptions"/> is the one place that turns it into <see cref="EtcdClientOptions"/>, with every rule
/// about which settings go together and what the files must be.
/// </summary>
public sealed record EtcdConnectionSettings
{
    public string Endpoints { get; init; } = EtcdEnvironment.DefaultEndpoint;

    public string? CaFile { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    public string? Username { get; init; }

    /// <summary>A file whose first line is the password.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>The password itself, from the environment or a PSCredential.</summary>
    public string? Password { get; init; }

    /// <summary>Every setting from the DOKKAA_ETCD* environment variables (the defaults of every face).</summary>
    public static EtcdConnectionSettings FromEnvironment() => new()
    {
        Endpoints = EtcdEnvironment.EndpointsOrDefault(),
        CaFile = EtcdEnvironment.Read(EtcdEnvironment.Ca),
        CertFile = EtcdEnvironment.Read(EtcdEnvironment.Cert),
        KeyFile = EtcdEnvironment.Read(EtcdEnvironment.Key),
        Username = EtcdEnvironment.Read(EtcdEnvironment.User),
        PasswordFile = EtcdEnvironment.Read(EtcdEnvironment.PasswordFile),
        Password = EtcdEnvironment.Read(EtcdEnvironment.Password),
    };

    /// <summary>Whether anything beyond the endpoints is set (TLS or a user).</summary>
    public bool IsSecured => CaFile is not null || CertFile is not null || KeyFile is not null || Username is not null;

    /// <summary>Checks the settings and reads the password; every error is an <see cref="EtcdSettingsException"/> naming the setting as <paramref name="names"/> calls it.</summary>
    public EtcdClientOptions ToOptions(EtcdSettingNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        EtcdClientOptions endpoints;
        try
        {
            endpoints = EtcdClientOptions.Parse(Endpoints);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new EtcdSettingsException(names.Endpoints, EtcdSettingsProblem.EndpointInvalid, e.Message, e);
        }

        if (CertFile is not null && KeyFile is null)
            throw new EtcdSettingsException(names.Cert, EtcdSettingsProblem.Invalid, $"a client certificate needs its private key: give {names.Key} too");
        if (KeyFile is not null && CertFile is null)
            throw new EtcdSettingsException(names.Key, EtcdSettingsProblem.Invalid, $"a private key without its certificate: give {names.Cert} too");
        if (CaFile is not null || CertFile is not null)
        {
            var plain = endpoints.Endpoints.FirstOrDefault(e => e.Scheme != Uri.UriSchemeHttps);
            if (plain is not null)
            {
                var setting = CaFile is not null ? names.Ca : names.Cert;
                throw new EtcdSettingsException(names.Endpoints, EtcdSettingsProblem.Invalid, $"{plain} is not https:// but {setting} asks for TLS: use https:// endpoints");
            }
        }

        if (CaFile is not null)
            EtcdCredentialFiles.CheckCertificateAuthority(CaFile, names.Ca);
        if (CertFile is not null)
            EtcdCredentialFiles.CheckClientCertificate(CertFile, KeyFile!, names.Cert, names.Key);

        var password = ReadPassword(names);
        return endpoints with
        {
            CaFile = CaFile is null ? null : Path.GetFullPath(CaFile),
            CertFile = CertFile is null ? null : Path.GetFullPath(CertFile),
            KeyFile = KeyFile is null ? null : Path.GetFullPath(KeyFile),
            Username = Username,
            Password = password,
        };
    }

    private string? ReadPassword(EtcdSettingNames names)
    {
        if (Username is not null && string.IsNullOrWhiteSpace(Username))
            throw new EtcdSettingsException(names.User, EtcdSettingsProblem.Invalid, "the user name is empty");
        if (PasswordFile is not null && Password is not null)
            throw new EtcdSettingsException(names.PasswordFile, EtcdSettingsProblem.Invalid, $"both {names.PasswordFile} and {names.Password} give a password: keep one");
        if (Username is null)
        {
            if (PasswordFile is not null || Password is not null)
                throw new EtcdSettingsException(names.User, EtcdSettingsProblem.Invalid, $"a password was given ({(PasswordFile is not null ? names.PasswordFile : names.Password)}) but no user: give {names.User} too");
            return null;
        }

        var password = PasswordFile is not null ? EtcdCredentialFiles.ReadPassword(PasswordFile, names.PasswordFile) : Password;
        if (string.IsNullOrEmpty(password))
            throw new EtcdSettingsException(names.User, EtcdSettingsProblem.Invalid, $"user {Username} needs a password: set {names.Password} or give {names.PasswordFile}");
        return password;
    }
}
