namespace Dokkaa.Core.EtcdAccess;

/// <summary>An etcd connection setting that cannot be used; the message starts with the flag or parameter it is about.</summary>
public sealed class EtcdSettingsException : FormatException
{
    public EtcdSettingsException(string setting, EtcdSettingsProblem problem, string message, Exception? inner = null)
        : base($"{setting}: {message}", inner)
    {
        Setting = setting;
        Problem = problem;
    }

    /// <summary>The flag or parameter, as the face calls it (e.g. <c>--etcd-key</c>).</summary>
    public string Setting { get; }

    public EtcdSettingsProblem Problem { get; }
}
