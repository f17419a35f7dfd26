
namespace Dokkaa.Core.Manifests;

/// <summary>
/// An app or manifest name that cannot be used in etcd keys, DNS names and container names.
/// An <see cref="ArgumentException"/> because the name is always an argument the caller passed in.
/// </summary>
public sealed class InvalidResourceNameException : ArgumentException
{
    private readonly string _message;

    public InvalidResourceNameException(string kind, string value, string reason)
        : base(null, kind)
    {
        // "Invalid name ..." rather than "Invalid name name ..." for a manifest name.
        _message = $"Invalid {(kind == "name" ? "" : kind + " ")}name {Rules.Text.Quote(value)}: {reason}.";
        Kind = kind;
        Value = value;
        Reason = reason;
    }

    /// <summary>
    /// The sentence alone: operators see it verbatim (CLI, cmdlets, status), so without the
    /// " (Parameter 'app')" that <see cref="ArgumentException.Message"/> would append. <see cref="ArgumentException.ParamName"/> still says which.
    /// </summary>
    public override string Message => _message;

    /// <summary>What was being named: <c>app</c> or <c>name</c>.</summary>
    public string Kind { get; }

    /// <summary>The rejected name, as given.</summary>
    public string Value { get; }

    /// <summary>Why it was rejected.</summary>
    public string Reason { get; }
}
