using Dokkaa.Core.Etcd;
using Etcdserverpb;
using Grpc.Net.Client;

namespace Dokkaa.Etcd;

/// <summary>One etcd member: its own gRPC channel and the dotnet-etcd service stubs over it.</summary>
internal sealed class EtcdEndpoint : IDisposable
{
    private readonly GrpcChannel _channel;

    public EtcdEndpoint(Uri uri, EtcdClientOptions options, System.Net.Security.SslClientAuthenticationOptions? tls, Func<HttpMessageHandler, HttpMessageHandler>? wrap)
    {
        Uri = uri;
        var handler = EtcdConnector.CreateHandler(options);
        if (tls is not null)
            handler.SslOptions = tls;
        // One channel per member, no service config: gRPC retries nothing by itself, so whether a failed
        // call may be sent again (and where) is decided in EtcdCaller alone.
        _channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = wrap is null ? handler : wrap(handler),
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
        });
        Kv = new KV.KVClient(_channel);
        Lease = new Etcdserverpb.Lease.LeaseClient(_channel);
        Watch = new Etcdserverpb.Watch.WatchClient(_channel);
        Auth = new Etcdserverpb.Auth.AuthClient(_channel);
        Maintenance = new Etcdserverpb.Maintenance.MaintenanceClient(_channel);
    }

    public Uri Uri { get; }

    public KV.KVClient Kv { get; }

    public Etcdserverpb.Lease.LeaseClient Lease { get; }

    public Etcdserverpb.Watch.WatchClient Watch { get; }

    public Etcdserverpb.Auth.AuthClient Auth { get; }

    public Etcdserverpb.Maintenance.MaintenanceClient Maintenance { get; }

    public override string ToString() => Uri.ToString();

    public void Dispose() => _channel.Dispose();
}
