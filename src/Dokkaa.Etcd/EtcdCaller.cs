using Dokkaa.Core.Etcd;
using Grpc.Core;

namespace Dokkaa.Etcd;

/// <summary>
/// Sends unary calls to the etcd members: sticks to the member that answered last, moves on to the next
/// one when a member certainly did not get the request, and never resends a write whose fate is unknown.
/// Every call carries etcd's require-leader metadata (when asked for) and the auth token.
/// </summary>
internal sealed class EtcdCaller : IDisposable
{
    private readonly EtcdEndpoint[] _endpoints;
    private readonly Metadata _baseHeaders = [];
    private int _preferred;

    public EtcdCaller(EtcdClientOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrap)
    {
        Options = options;
        var tls = EtcdTls.Create(options);
        _endpoints = options.Endpoints.Select(uri => new EtcdEndpoint(uri, options, tls, wrap)).ToArray();
        if (options.RequireLeader)
            _baseHeaders.Add("hasleader", "true");
        Token = new EtcdAuthToken(options);
    }

    public EtcdClientOptions Options { get; }

    public EtcdAuthToken Token { get; }

    public IReadOnlyList<EtcdEndpoint> Endpoints => _endpoints;

    public int PreferredIndex => Volatile.Read(ref _preferred);

    public void Prefer(int index) => Volatile.Write(ref _preferred, index % _endpoints.Length);

    /// <summary>The metadata of a call: require-leader, and the token when auth is on (authenticating if need be).</summary>
    public async Task<(Metadata Headers, string? Token)> HeadersAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        var token = await Token.GetAsync(endpoint, _baseHeaders, cancellationToken).ConfigureAwait(false);
        if (token is null)
            return (_baseHeaders, null);
        var headers = new Metadata();
        foreach (var entry in _baseHeaders)
            headers.Add(entry);
        headers.Add("token", token);
        return (headers, token);
    }

    /// <summary>
    /// Runs <paramref name="call"/> on the members in turn. <paramref name="retryIfMaybeApplied"/> says whether
    /// the request may go to another member after a failure that leaves open whether etcd applied it. Reads may;
    /// a create-if-absent transaction may not, because its second attempt would find the key created by the first
    /// and report a lost claim that was in fact won.
    /// </summary>
    public async Task<T> CallAsync<T>(string what, Func<EtcdEndpoint, CallOptions, Task<T>> call, bool retryIfMaybeApplied, CancellationToken cancellationToken)
    {
        var first = PreferredIndex;
        var failures = new List<string>();
        for (var i = 0; i < _endpoints.Length; i++)
        {
            var index = (first + i) % _endpoints.Length;
            var endpoint = _endpoints[index];
            var (answered, value, failure) = await TryAsync(endpoint, call, cancellationToken).ConfigureAwait(false);
            if (answered)
            {
                Prefer(index);
                return value!;
            }

            var error = failure!;
            switch (error.Kind)
            {
                case EtcdFailureKind.Refused:
                case EtcdFailureKind.TokenRejected:
                    // The member is fine; the request (or the credentials) are refused. Another member would say the same.
                    Prefer(index);
                    throw error.ToException(endpoint.Uri);
                case EtcdFailureKind.NotSent:
                    failures.Add($"{endpoint.Uri} ({error.Reason})");
                    continue;
                default:
                    failures.Add($"{endpoint.Uri} ({error.Reason})");
                    if (retryIfMaybeApplied)
                        continue;
                    // The next call starts elsewhere, but this one cannot be repeated blindly.
                    Prefer(index + 1);
                    throw new EtcdException(
                        $"etcd {what} failed on {endpoint.Uri} ({error.Reason}); it may or may not have been applied. Re-read the state before retrying.",
                        error.GrpcCode ?? 0,
                        error.Error);
            }
        }

        throw new EtcdException($"etcd did not answer on any endpoint: {string.Join("; ", failures)}");
    }

    /// <summary>One member, with one more try when the auth token was stale (a refused token means nothing was applied).</summary>
    private async Task<(bool Answered, T? Value, EtcdFailure? Failure)> TryAsync<T>(EtcdEndpoint endpoint, Func<EtcdEndpoint, CallOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            string? token = null;
            try
            {
                (var headers, token) = await HeadersAsync(endpoint, cancellationToken).ConfigureAwait(false);
                var options = new CallOptions(headers, DateTime.UtcNow + Options.RequestTimeout, cancellationToken);
                return (true, await call(endpoint, options).ConfigureAwait(false), null);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                var failure = EtcdFailure.From(e, Options.RequestTimeout);
                if (failure.Kind == EtcdFailureKind.TokenRejected && Token.Enabled && attempt == 0)
                {
                    Token.Invalidate(token);
                    continue;
                }

                return (false, default, failure);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                throw new OperationCanceledException(e.Message, e, cancellationToken);
            }
        }
    }

    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
            endpoint.Dispose();
    }
}
