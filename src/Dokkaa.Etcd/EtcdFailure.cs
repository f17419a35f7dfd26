using System.Net.Sockets;
using Dokkaa.Core.Etcd;
using Grpc.Core;

namespace Dokkaa.Etcd;

/// <summary>What a failed call tells about the request: whether it can have reached etcd, and what to say.</summary>
internal enum EtcdFailureKind
{
    /// <summary>Certainly not applied (no connection, or a member without a leader refused it): safe to send elsewhere.</summary>
    NotSent,

    /// <summary>Lost on the way (timeout, broken stream): etcd may have applied it.</summary>
    MaybeApplied,

    /// <summary>The auth token is unknown or stale: refused before anything was applied; authenticate again.</summary>
    TokenRejected,

    /// <summary>etcd answered with an error about the request itself; another member would say the same.</summary>
    Refused,
}

/// <summary>Sorts gRPC errors into <see cref="EtcdFailureKind"/> and words them for users (who see these messages).</summary>
internal sealed record EtcdFailure(EtcdFailureKind Kind, string Reason, int? GrpcCode, Exception Error)
{
    public static EtcdFailure From(RpcException e, TimeSpan requestTimeout)
    {
        var detail = Describe(e);
        var code = (int)e.StatusCode;
        return e.StatusCode switch
        {
            StatusCode.DeadlineExceeded => new(EtcdFailureKind.MaybeApplied, $"no answer within {requestTimeout.TotalSeconds:0.#} s", code, e),
            StatusCode.Unavailable when IsConnectFailure(e.Status.DebugException) || IsNoLeader(e) => new(EtcdFailureKind.NotSent, detail, code, e),
            StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled => new(EtcdFailureKind.MaybeApplied, detail, code, e),
            _ when IsStaleToken(e) => new(EtcdFailureKind.TokenRejected, detail, code, e),
            _ => new(EtcdFailureKind.Refused, detail, code, e),
        };
    }

    /// <summary>The exception for the caller, naming the member that failed.</summary>
    public EtcdException ToException(Uri endpoint) => new($"etcd at {endpoint}: {Reason}", GrpcCode ?? 0, Error);

    /// <summary>
    /// etcd refuses a token it does not know (expired simple token, member restarted), one issued before the
    /// auth store changed, and a request that carries none although auth is on; none of them was applied.
    /// </summary>
    private static bool IsStaleToken(RpcException e) =>
        e.Status.Detail.Contains("invalid auth token", StringComparison.OrdinalIgnoreCase)
        || e.Status.Detail.Contains("revision of auth store is old", StringComparison.OrdinalIgnoreCase)
        || (e.StatusCode == StatusCode.InvalidArgument && e.Status.Detail.Contains("user name is empty", StringComparison.OrdinalIgnoreCase));

    /// <summary>With require-leader, a leaderless member refuses before proposing anything.</summary>
    private static bool IsNoLeader(RpcException e) => e.Status.Detail.Contains("no leader", StringComparison.OrdinalIgnoreCase);

    private static bool IsConnectFailure(Exception? e) => e switch
    {
        HttpRequestException h when h.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError => true,
        SocketException => true,
        null => false,
        _ => IsConnectFailure(e.InnerException),
    };

    /// <summary>gRPC's own detail for transport errors is generic ("Error starting gRPC call"); the innermost cause says what happened.</summary>
    private static string Describe(RpcException e)
    {
        var detail = e.Status.Detail;
        var cause = e.Status.DebugException;
        while (cause?.InnerException is not null)
            cause = cause.InnerException;
        if (cause is null || detail.Contains(cause.Message, StringComparison.Ordinal))
            return detail;
        return e.StatusCode == StatusCode.Unavailable || detail.StartsWith("Error starting gRPC call", StringComparison.Ordinal)
            ? cause.Message
            : $"{detail} ({cause.Message})";
    }
}
