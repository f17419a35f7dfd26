using Dokkaa.Core.Cluster;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

public sealed class KeyLayoutTests
{
    [Fact]
    public void Manifest_key_is_the_seed_layout_and_parses_back()
    {
        var key = KeyLayout.Manifest("dummy", "nginx");

        Assert.Equal("/apps/dummy/nginx/manifest", key);
        Assert.True(KeyLayout.TryParseManifestKey(key, out var app, out var name));
        Assert.Equal(("dummy", "nginx"), (app, name));
    }

    [Fact]
    public void Instance_key_round_trips()
    {
        var key = KeyLayout.Instance("dummy", "nginx", 12);

        Assert.Equal("/dokkaa/instances/dummy/nginx/12", key);
        Assert.StartsWith(KeyLayout.InstancesOf("dummy", "nginx"), key, StringComparison.Ordinal);
        Assert.True(KeyLayout.TryParseInstanceKey(key, out var app, out var name, out var instance));
        Assert.Equal(("dummy", "nginx", 12), (app, name, instance));
    }

    [Fact]
    public void Host_status_and_rollout_keys_round_trip()
    {
        Assert.True(KeyLayout.TryParseHostKey(KeyLayout.Host("node-1"), out var host));
        Assert.Equal("node-1", host);

        Assert.Equal("/dokkaa/status/dummy/nginx", KeyLayout.Status("dummy", "nginx"));
        Assert.True(KeyLayout.TryParseStatusKey(KeyLayout.Status("dummy", "nginx"), out var app, out var name));
        Assert.Equal(("dummy", "nginx"), (app, name));

        Assert.Equal("/dokkaa/rollout/shop/web", KeyLayout.Rollout("shop", "web"));
        Assert.True(KeyLayout.TryParseRolloutKey(KeyLayout.Rollout("shop", "web"), out app, out name));
        Assert.Equal(("shop", "web"), (app, name));
    }

    [Fact]
    public void Every_key_lives_under_its_prefix()
    {
        Assert.StartsWith(KeyLayout.AppPrefix("dummy"), KeyLayout.Manifest("dummy", "nginx"), StringComparison.Ordinal);
        Assert.StartsWith(KeyLayout.AppsPrefix, KeyLayout.AppPrefix("dummy"), StringComparison.Ordinal);
        foreach (var key in new[] { KeyLayout.Host("h"), KeyLayout.Instance("a", "b", 1), KeyLayout.Status("a", "b"), KeyLayout.Rollout("a", "b") })
            Assert.StartsWith(KeyLayout.RuntimePrefix, key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/apps/dummy/nginx")]
    [InlineData("/apps/dummy/nginx/manifest/extra")]
    [InlineData("/apps/dummy/nginx/other")]
    [InlineData("/apps//nginx/manifest")]
    [InlineData("/apps/dummy//manifest")]
    [InlineData("/apps/dummy/manifest")]
    [InlineData("apps/dummy/nginx/manifest")]
    [InlineData("/dokkaa/instances/dummy/nginx/1")]
    [InlineData("/other/dummy/nginx/manifest")]
    public void Manifest_parser_rejects_other_keys(string key) =>
        Assert.False(KeyLayout.TryParseManifestKey(key, out _, out _));

    [Theory]
    [InlineData("/dokkaa/instances/dummy/nginx")]
    [InlineData("/dokkaa/instances/dummy/nginx/0")]
    [InlineData("/dokkaa/instances/dummy/nginx/-1")]
    [InlineData("/dokkaa/instances/dummy/nginx/+1")]
    [InlineData("/dokkaa/instances/dummy/nginx/ 1")]
    [InlineData("/dokkaa/instances/dummy/nginx/x")]
    [InlineData("/dokkaa/instances/dummy/nginx/99999999999")]
    [InlineData("/dokkaa/instances/dummy/nginx/1/x")]
    [InlineData("/dokkaa/instances//nginx/1")]
    [InlineData("/dokkaa/instances/dummy//1")]
    [InlineData("/dokkaa/status/dummy/nginx")]
    [InlineData("/apps/dummy/nginx/manifest")]
    public void Instance_parser_rejects_other_keys(string key) =>
        Assert.False(KeyLayout.TryParseInstanceKey(key, out _, out _, out _));

    [Fact]
    public void Instance_parser_rejects_a_number_that_is_not_written_canonically()
    {
        // "01" would name instance 1 under a second key: a claim on it would shadow the real one.
        Assert.False(KeyLayout.TryParseInstanceKey("/dokkaa/instances/dummy/nginx/01", out _, out _, out _));
    }

    [Theory]
    [InlineData("/dokkaa/hosts/")]
    [InlineData("/dokkaa/hosts/a/b")]
    [InlineData("/dokkaa/hostsx")]
    [InlineData("/dokkaa/status/a/b")]
    public void Host_parser_rejects_other_keys(string key) =>
        Assert.False(KeyLayout.TryParseHostKey(key, out _));

    [Theory]
    [InlineData("/dokkaa/status/dummy")]
    [InlineData("/dokkaa/status/dummy/nginx/1")]
    [InlineData("/dokkaa/status//nginx")]
    [InlineData("/dokkaa/status/dummy/")]
    [InlineData("/dokkaa/rollout/dummy/nginx")]
    public void Status_parser_rejects_other_keys(string key) =>
        Assert.False(KeyLayout.TryParseStatusKey(key, out _, out _));

    [Theory]
    [InlineData("/dokkaa/rollout/dummy")]
    [InlineData("/dokkaa/rollout/dummy/nginx/1")]
    [InlineData("/dokkaa/rollout//nginx")]
    [InlineData("/dokkaa/status/dummy/nginx")]
    public void Rollout_parser_rejects_other_keys(string key) =>
        Assert.False(KeyLayout.TryParseRolloutKey(key, out _, out _));
}
