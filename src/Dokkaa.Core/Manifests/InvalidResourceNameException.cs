namespace Dokkaa.Core.Manifests;

/// <summary>
/// An app or manifest name that cannot be used in etcd keys, DNS names and container names.
/// An <see cref="ArgumentException"/> because the name is always an argument the caller passed in.
/// </summary>
public sealed class InvalidResourceNameException : ArgumentException
{
    public InvalidResourceNameException(string kind, string value, string reason)
        : base($"Invalid {kind} name {Parsing.Text.Quote(value)}: {reason}.", kind)
    {
        Kind = kind;
        Value = value;
        Reason = reason;
    }

    /// <summary>What was being named: <c>app</c> or <c>name</c>.</summary>
    public string Kind { get; }

    /// <summary>The rejected name, as given.</summary>
    public string Value { get; }

    /// <summary>Why it was rejected.</summary>
    public string Reason { get; }
}
