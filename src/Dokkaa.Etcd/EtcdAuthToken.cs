using Dokkaa.Core.Etcd;
using Etcdserverpb;
using Grpc.Core;

namespace Dokkaa.Etcd;

/// <summary>
/// The etcd auth token of a client with a user name: fetched on first use, shared by every call, and
/// fetched again when etcd says it is no longer valid (simple tokens expire after 5 minutes idle and do
/// not survive a member restart).
/// </summary>
internal sealed class EtcdAuthToken(EtcdClientOptions options)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private string? _token;

    public bool Enabled => options.Username is not null;

    /// <summary>The current token, authenticating on <paramref name="endpoint"/> when there is none.</summary>
    public async Task<string?> GetAsync(EtcdEndpoint endpoint, Metadata baseHeaders, CancellationToken cancellationToken)
    {
        if (!Enabled)
            return null;
        if (Volatile.Read(ref _token) is { } token)
            return token;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null)
                return _token;
            var request = new AuthenticateRequest { Name = options.Username, Password = options.Password ?? "" };
            var response = await endpoint.Auth.AuthenticateAsync(request, baseHeaders, DateTime.UtcNow + options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _token, response.Token);
            return response.Token;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Forgets <paramref name="rejected"/> so that the next call authenticates again (unless another call already did).</summary>
    public void Invalidate(string? rejected) => Interlocked.CompareExchange(ref _token, null, rejected);
}
