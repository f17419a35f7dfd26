using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

/// <summary>
/// Keys written by hand (etcdctl) whose names break the name rule: the view keeps them as invalid so that agents
/// run nothing for them and report why, because such names can collide as container names.
/// </summary>
public sealed class ManifestKeyNameTests
{
    private readonly ClusterStateBuilder _b = new();

    public static TheoryData<string, string, string> BadNames => new()
    {
        { "x", "a---b", "name \"a---b\"" },
        { "x---a", "b", "app \"x---a\"" },
        { "x", "y---2", "name \"y---2\"" },
        { "Dummy", "nginx", "app \"Dummy\"" },
        { "dummy", "ng_inx", "name \"ng_inx\"" },
        { "..", "nginx", "app \"..\"" },
        { "dummy", new string('a', 300), "name \"aaaa" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void A_key_whose_names_break_the_rule_is_invalid_and_says_which_name(string app, string name, string expected)
    {
        _b.Manifest(app, name, TestManifests.Web(scale: 1));

        var entry = _b.Entry(app, name);
        Assert.False(entry.IsValid);
        Assert.Null(entry.Effective);
        var error = Assert.Single(entry.Errors, e => e.Path == "key");
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("dokkaa rm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Colliding_keys_both_run_nothing()
    {
        // Both would be container x---a---b; neither may take it.
        _b.Manifest("x", "a---b", TestManifests.Web(scale: 1));
        _b.Manifest("x---a", "b", TestManifests.Web(scale: 1));

        Assert.All(_b.State.Manifests.Values, entry => Assert.Null(entry.Effective));
    }

    [Fact]
    public void A_bad_name_is_never_remembered_as_last_valid()
    {
        _b.Manifest("Dummy", "nginx", TestManifests.Web(scale: 1));
        _b.Manifest("Dummy", "nginx", TestManifests.Web(scale: 2));

        Assert.Null(_b.Entry("Dummy", "nginx").LastValid);
    }

    [Theory]
    [InlineData("/apps//x/manifest")]
    [InlineData("/apps/a/b/c/manifest")]
    [InlineData("/apps/dummy/nginx/manifest.bak")]
    public void A_key_under_apps_that_is_not_a_manifest_key_is_listed_until_deleted(string key)
    {
        _b.Put(key, "{}");

        Assert.Contains(key, _b.State.IgnoredKeys);
        Assert.Empty(_b.State.Manifests);

        _b.Delete(key);
        Assert.DoesNotContain(key, _b.State.IgnoredKeys);
    }

    [Fact]
    public void Keys_outside_apps_are_not_listed_as_ignored()
    {
        _b.Put("/other/thing", "x");
        _b.Manifest("dummy", "nginx", TestManifests.Web(scale: 1));

        Assert.Empty(_b.State.IgnoredKeys);
    }
}
