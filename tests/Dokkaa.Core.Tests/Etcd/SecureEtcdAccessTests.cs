using Dokkaa.Core.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>Who a secured etcd lets in: the wrong credentials get a clear error and write nothing.</summary>
public sealed class SecureEtcdAccessTests(SecureEtcdFixture etcd) : IClassFixture<SecureEtcdFixture>
{
    private readonly string _p = $"/access/{Guid.NewGuid():N}/";

    [Fact]
    public async Task A_client_without_a_certificate_is_refused_and_writes_nothing()
    {
        using var client = etcd.CreateClient(o => o with { CertFile = null, KeyFile = null });

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.PutAsync(_p + "k", "v"));

        Assert.Contains(etcd.ClientUrl.Authority, error.Message, StringComparison.Ordinal);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_etcds_reason_and_writes_nothing()
    {
        using var client = etcd.CreateClient(o => o with { Password = "not-the-password" });

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.PutAsync(_p + "k", "v"));

        Assert.Contains("authentication failed", error.Message, StringComparison.Ordinal);
        Assert.Contains(etcd.ClientUrl.Authority, error.Message, StringComparison.Ordinal);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task A_client_without_a_user_is_refused_and_writes_nothing()
    {
        using var client = etcd.CreateClient(o => o with { Username = null, Password = null });

        await Assert.ThrowsAsync<EtcdException>(() => client.PutAsync(_p + "k", "v"));

        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_not_trusted()
    {
        using var client = etcd.CreateClient(o => o with { CaFile = etcd.Certificates.OtherCaFile });

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.PutAsync(_p + "k", "v"));

        Assert.Contains(etcd.ClientUrl.Authority, error.Message, StringComparison.Ordinal);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public void A_missing_certificate_file_is_named()
    {
        var missing = Path.Combine(etcd.Certificates.Directory, "no-such.pem");

        var error = Assert.Throws<EtcdException>(() => etcd.CreateClient(o => o with { CaFile = missing }));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_lost_in_an_etcd_restart_is_renewed_once_and_the_write_happens_once()
    {
        using var client = etcd.CreateClient();
        await client.PutAsync(_p + "before", "1");

        // etcd's simple tokens live in the member's memory: after a restart the client's token is unknown.
        await etcd.Server.RestartAsync();
        var revision = await client.PutAsync(_p + "k", "v");

        var kv = Assert.Single((await client.RangeAsync(_p + "k")).Kvs);
        Assert.Equal((1L, revision), (kv.Version, kv.ModRevision));
    }

    [Fact]
    public async Task A_watch_resumes_after_a_restart_with_a_new_token()
    {
        using var watcher = etcd.CreateClient(o => o with { WatchReconnectDelay = TimeSpan.FromMilliseconds(10) });
        using var writer = etcd.CreateClient();
        var start = await writer.PutAsync(_p + "w/0", "0");
        await using var watch = new WatchRecorder(watcher, _p + "w/", prefix: true, start);
        await watch.WaitForAsync(1);

        await etcd.Server.RestartAsync();
        await writer.PutAsync(_p + "w/1", "1");

        Assert.Equal([_p + "w/0", _p + "w/1"], (await watch.WaitForAsync(2)).Select(e => e.Kv.Key));
    }

    private async Task AssertNothingWrittenAsync()
    {
        using var reader = etcd.CreateClient();
        Assert.Empty((await reader.RangeAsync(_p, prefix: true)).Kvs);
    }
}
