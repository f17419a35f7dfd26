using System.CommandLine;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.EtcdAccess;

namespace Dokkaa.WebConsole.CommandLine;

/// <summary>
/// The etcd connection flags of dokkaa-agent (and its dns subcommand), dokkaa and dokkaa console, each defined
/// once. It lives here because this is the one assembly both the agent and the CLI reference that has
/// System.CommandLine. The password has no flag: a command line is visible to every user of the machine.
/// </summary>
public sealed class EtcdFlags
{
    /// <param name="recursive">True on the CLI's root command, whose subcommands all take the flags.</param>
    public EtcdFlags(bool recursive = false)
    {
        Etcd = new("--etcd")
        {
            Description = $"Comma separated etcd client URLs (default: ${EtcdEnvironment.Endpoints} or {EtcdEnvironment.DefaultEndpoint}).",
            DefaultValueFactory = _ => EtcdEnvironment.EndpointsOrDefault(),
            Recursive = recursive,
        };
        Ca = Setting("--etcd-ca", EtcdEnvironment.Ca, "PEM file of the CA that signed etcd's server certificates (https:// endpoints)", recursive);
        Cert = Setting("--etcd-cert", EtcdEnvironment.Cert, "PEM client certificate for etcd --client-cert-auth (needs --etcd-key)", recursive);
        Key = Setting("--etcd-key", EtcdEnvironment.Key, "PEM private key of --etcd-cert (not readable by others)", recursive);
        User = Setting("--etcd-user", EtcdEnvironment.User, $"etcd user; the password comes from ${EtcdEnvironment.Password} or --etcd-password-file", recursive);
        PasswordFile = Setting("--etcd-password-file", EtcdEnvironment.PasswordFile, "File whose first line is the etcd user's password (not readable by others)", recursive);
    }

    public Option<string> Etcd { get; }

    public Option<string?> Ca { get; }

    public Option<string?> Cert { get; }

    public Option<string?> Key { get; }

    public Option<string?> User { get; }

    public Option<string?> PasswordFile { get; }

    public IEnumerable<Option> All => new Option[] { Etcd, Ca, Cert, Key, User, PasswordFile };

    /// <summary>Adds every flag to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in All)
            command.Add(option);
    }

    public EtcdConnectionSettings ToSettings(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new EtcdConnectionSettings
        {
            Endpoints = result.GetValue(Etcd)!,
            CaFile = result.GetValue(Ca),
            CertFile = result.GetValue(Cert),
            KeyFile = result.GetValue(Key),
            Username = result.GetValue(User),
            PasswordFile = result.GetValue(PasswordFile),
            Password = EtcdEnvironment.Read(EtcdEnvironment.Password),
        };
    }

    /// <summary>The checked client options; a bad setting is an <see cref="EtcdSettingsException"/> (a <see cref="FormatException"/>) naming the flag.</summary>
    public EtcdClientOptions ToOptions(ParseResult result) => ToSettings(result).ToOptions(EtcdSettingNames.Flags);

    private static Option<string?> Setting(string name, string variable, string description, bool recursive) => new(name)
    {
        Description = $"{description} (default: ${variable}).",
        DefaultValueFactory = _ => EtcdEnvironment.Read(variable),
        Recursive = recursive,
    };
}
