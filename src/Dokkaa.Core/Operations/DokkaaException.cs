namespace Dokkaa.Core.Operations;

/// <summary>What went wrong, in words a script can branch on. The PowerShell module uses these as ErrorIds.</summary>
public enum DokkaaErrorKind
{
    ManifestInvalid,
    ManifestNotFound,
    NameInvalid,
    ClusterUnreachable,
    Conflict,
    Timeout,
    HostNotFound,
}

/// <summary>An operator-facing failure of a cluster operation; nothing was changed unless the message says so.</summary>
public sealed class DokkaaException : Exception
{
    public DokkaaException(DokkaaErrorKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    public DokkaaErrorKind Kind { get; }

    /// <summary>The stable identifier of this kind of error, e.g. <c>DokkaaManifestInvalid</c>.</summary>
    public string ErrorId => "Dokkaa" + Kind;
}
