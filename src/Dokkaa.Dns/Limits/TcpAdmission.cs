namespace Dokkaa.Dns.Limits;

/// <summary>Whether <see cref="TcpConnectionTable"/> took a new connection.</summary>
internal enum TcpAdmission
{
    Admitted,
    /// <summary>The client's source holds its share of connections already.</summary>
    SourceLimit,
    /// <summary>Every connection is in the middle of a query.</summary>
    Full,
}
