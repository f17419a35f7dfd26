using System.Collections;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>
/// What Set-, Get-, Update- and Remove-DokkaaManifest do, step by step as the cmdlets call them (plan,
/// ShouldProcess, execute), against a real etcd. Each test uses its own app, so they share one etcd.
/// </summary>
public sealed class ManifestWritesTests : IClassFixture<CmdletEtcdFixture>
{
    private readonly CmdletEtcdFixture _etcd;

    public ManifestWritesTests(CmdletEtcdFixture etcd) => _etcd = etcd;

    private ClusterOperations Ops => _etcd.Operations;

    private async Task<string?> RawAsync(string app, string name)
    {
        var range = await _etcd.Client.RangeAsync(KeyLayout.Manifest(app, name));
        return range.Kvs.Count == 0 ? null : range.Kvs[0].Value;
    }

    [Fact]
    public async Task Set_creates_updates_and_leaves_an_equal_manifest_unchanged()
    {
        var create = await ManifestWrites.PlanSetAsync(Ops, "set1", "nginx", StandInAgent.Nginx());
        Assert.Equal("set1/nginx", create.Target);
        Assert.Equal("Set manifest: create: image dockerfile/nginx, scale 1, services nginx=80/tcp", create.Action);
        Assert.Null(create.Current);
        var created = await ManifestWrites.ExecuteAsync(Ops, create);
        Assert.Equal(ManifestChangeKind.Created, created.Kind);
        Assert.Equal(ManifestSerializer.ToCanonicalJson(StandInAgent.Nginx()), await RawAsync("set1", "nginx"));

        var scale = await ManifestWrites.PlanSetAsync(Ops, "set1", "nginx", StandInAgent.Nginx(3));
        Assert.Equal("Set manifest: scale 1 -> 3", scale.Action);
        Assert.Equal(created.Revision, scale.Current!.Revision);
        var updated = await ManifestWrites.ExecuteAsync(Ops, scale);
        Assert.Equal(ManifestChangeKind.Updated, updated.Kind);
        Assert.Equal(StandInAgent.Nginx(), updated.Previous);

        var same = await ManifestWrites.PlanSetAsync(Ops, "set1", "nginx", StandInAgent.Nginx(3));
        Assert.False(same.IsChange);
        Assert.Equal("Set manifest: no change", same.Action);
        var unchanged = await ManifestWrites.ExecuteAsync(Ops, same);
        Assert.Equal(ManifestChangeKind.Unchanged, unchanged.Kind);
        Assert.Equal(updated.Revision, unchanged.Revision);
    }

    [Fact]
    public async Task WhatIf_plans_but_writes_nothing()
    {
        var plan = await ManifestWrites.PlanSetAsync(Ops, "whatif", "nginx", StandInAgent.Nginx());
        Assert.True(plan.IsChange);
        Assert.Null(await RawAsync("whatif", "nginx"));
        Assert.Empty(await Ops.GetManifestsAsync("whatif"));

        await ManifestWrites.ExecuteAsync(Ops, plan);
        var before = await RawAsync("whatif", "nginx");
        var update = await ManifestWrites.PlanUpdateAsync(Ops, "whatif", "nginx", null, new ManifestEdit(Scale: 9));
        Assert.Equal("Update manifest: scale 1 -> 9", update.Action);
        var remove = await ManifestWrites.PlanRemoveAsync(Ops, "whatif", "nginx");
        Assert.Equal("Remove manifest: image dockerfile/nginx, scale 1, services nginx=80/tcp", remove.Action);
        Assert.Equal(before, await RawAsync("whatif", "nginx"));
    }

    [Fact]
    public async Task A_write_in_between_is_a_conflict_and_is_kept()
    {
        await ManifestWrites.ExecuteAsync(Ops, await ManifestWrites.PlanSetAsync(Ops, "race", "nginx", StandInAgent.Nginx()));
        var mine = await ManifestWrites.PlanSetAsync(Ops, "race", "nginx", StandInAgent.Nginx(2));
        await Ops.SetManifestAsync("race", "nginx", StandInAgent.Nginx(7));

        var e = await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.ExecuteAsync(Ops, mine));
        Assert.Equal("DokkaaConflict", e.ErrorId);
        Assert.Equal(7, (await Ops.GetManifestAsync("race", "nginx")).Manifest!.Scale);

        // Planned as a creation, created by someone else first: also a conflict, not an overwrite.
        var create = await ManifestWrites.PlanSetAsync(Ops, "race", "web", StandInAgent.Nginx());
        await _etcd.PutRawManifestAsync("race", "web", """{"image":"other"}""");
        Assert.Equal(DokkaaErrorKind.Conflict, (await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.ExecuteAsync(Ops, create))).Kind);
        Assert.Equal("""{"image":"other"}""", await RawAsync("race", "web"));
    }

    [Fact]
    public async Task Invalid_manifests_and_names_are_refused_before_anything_is_read_or_written()
    {
        var invalid = StandInAgent.Nginx() with { Services = new Dictionary<string, ServicePort> { ["nginx"] = new(70000) } };
        var e = await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.PlanSetAsync(Ops, "refuse", "nginx", invalid));
        Assert.Equal("DokkaaManifestInvalid", e.ErrorId);
        Assert.Contains("$.services.nginx.port: port 70000 is out of range 1-65535", e.Message, StringComparison.Ordinal);
        var name = await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.PlanSetAsync(Ops, "Refuse", "nginx", StandInAgent.Nginx()));
        Assert.Equal("DokkaaNameInvalid", name.ErrorId);
        Assert.Empty(await Ops.GetManifestsAsync("refuse"));
    }

    [Fact]
    public async Task Update_by_name_merges_env_and_keeps_the_rest()
    {
        await Ops.SetManifestJsonAsync("upd", "web", """{ "image": "shop/web:1.4", "scale": 2, "services": { "web": 8080 }, "env": { "MODE": "production", "OLD": "1" } }""");
        var plan = await ManifestWrites.PlanUpdateAsync(Ops, "upd", "web", null, new ManifestEdit(Image: "shop/web:1.5", Env: new Hashtable { ["OLD"] = null, ["LOG"] = "debug" }));
        Assert.Equal("Update manifest: image shop/web:1.4 -> shop/web:1.5; env +LOG -OLD", plan.Action);
        var change = await ManifestWrites.ExecuteAsync(Ops, plan);
        Assert.Equal(ManifestChangeKind.Updated, change.Kind);
        var stored = (await Ops.GetManifestAsync("upd", "web")).Manifest!;
        Assert.Equal("shop/web:1.5", stored.Image);
        Assert.Equal(2, stored.Scale);
        Assert.Equal(new Dictionary<string, string> { ["LOG"] = "debug", ["MODE"] = "production" }, stored.Env);
    }

    [Fact]
    public async Task Update_of_a_piped_manifest_is_guarded_by_the_revision_it_was_read_at()
    {
        await Ops.SetManifestAsync("piped", "nginx", StandInAgent.Nginx());
        var read = Assert.Single(await ManifestWrites.GetAsync(Ops, "piped", "*"));
        await Ops.ScaleAsync("piped", "nginx", 4);

        var plan = await ManifestWrites.PlanUpdateAsync(Ops, read.App, read.Name, read, new ManifestEdit(Scale: 10));
        Assert.Equal("Update manifest: scale 1 -> 10", plan.Action);
        var e = await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.ExecuteAsync(Ops, plan));
        Assert.Equal(DokkaaErrorKind.Conflict, e.Kind);
        Assert.Equal(4, (await Ops.GetManifestAsync("piped", "nginx")).Manifest!.Scale);

        var fresh = Assert.Single(await ManifestWrites.GetAsync(Ops, "piped", "nginx"));
        var ok = await ManifestWrites.ExecuteAsync(Ops, await ManifestWrites.PlanUpdateAsync(Ops, fresh.App, fresh.Name, fresh, new ManifestEdit(Scale: 10)));
        Assert.Equal(10, ok.Manifest.Scale);
    }

    [Fact]
    public async Task Update_refuses_missing_invalid_and_rule_breaking_results()
    {
        Assert.Equal(DokkaaErrorKind.ManifestNotFound, (await Assert.ThrowsAsync<DokkaaException>(() =>
            ManifestWrites.PlanUpdateAsync(Ops, "updbad", "absent", null, new ManifestEdit(Scale: 2)))).Kind);

        await _etcd.PutRawManifestAsync("updbad", "broken", """{ "image": "nginx", "scale": "two" }""");
        var invalid = await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.PlanUpdateAsync(Ops, "updbad", "broken", null, new ManifestEdit(Scale: 2)));
        Assert.Equal(DokkaaErrorKind.ManifestInvalid, invalid.Kind);
        Assert.Contains("$.scale", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("Set-DokkaaManifest", invalid.Message, StringComparison.Ordinal);

        await Ops.SetManifestAsync("updbad", "nginx", StandInAgent.Nginx());
        var tooMany = await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.PlanUpdateAsync(Ops, "updbad", "nginx", null, new ManifestEdit(Scale: 5000)));
        Assert.Equal(DokkaaErrorKind.ManifestInvalid, tooMany.Kind);
        Assert.Contains("$.scale: must be at most 1000", tooMany.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_deletes_and_a_missing_manifest_is_not_found()
    {
        await Ops.SetManifestAsync("rm", "nginx", StandInAgent.Nginx());
        var plan = await ManifestWrites.PlanRemoveAsync(Ops, "rm", "nginx");
        Assert.Equal("rm/nginx", plan.Target);
        await ManifestWrites.ExecuteAsync(Ops, plan);
        Assert.Null(await RawAsync("rm", "nginx"));

        Assert.Equal("DokkaaManifestNotFound", (await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.PlanRemoveAsync(Ops, "rm", "nginx"))).ErrorId);
        Assert.Equal("DokkaaManifestNotFound", (await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.ExecuteAsync(Ops, plan))).ErrorId);
    }

    [Fact]
    public async Task Get_with_wildcards_lists_and_without_them_reports_a_missing_manifest()
    {
        await Ops.SetManifestAsync("getw", "nginx", StandInAgent.Nginx());
        await Ops.SetManifestJsonAsync("getw", "crawler", """{ "image": "dockerfile/ubuntu", "links": ["nginx"] }""");
        await Ops.SetManifestAsync("getw2", "nginx", StandInAgent.Nginx());
        await _etcd.PutRawManifestAsync("getw", "handmade", """{ "image": "nginx", "colour": "blue" }""");

        Assert.Equal(["crawler", "handmade", "nginx"], (await ManifestWrites.GetAsync(Ops, "getw", null)).Select(m => m.Name).Order());
        Assert.Equal(["getw/nginx", "getw2/nginx"], (await ManifestWrites.GetAsync(Ops, "getw*", "n*")).Select(m => $"{m.App}/{m.Name}").Order());
        Assert.Empty(await ManifestWrites.GetAsync(Ops, "nothing*", null));

        var handmade = Assert.Single(await ManifestWrites.GetAsync(Ops, "getw", "handmade"));
        Assert.False(handmade.IsValid);
        Assert.Equal("$.colour", Assert.Single(handmade.Errors).Path);

        var missing = await Assert.ThrowsAsync<DokkaaException>(() => ManifestWrites.GetAsync(Ops, "getw", "absent"));
        Assert.Equal("DokkaaManifestNotFound", missing.ErrorId);
    }

    /// <summary>
    /// <c>Get-Content nginx.json -Raw | ConvertFrom-Json | Set-DokkaaManifest -App dummy -Name nginx</c>, then
    /// <c>Get-DokkaaManifest -App dummy | Update-DokkaaManifest -Scale 5</c>: the steps the cmdlets take.
    /// </summary>
    [Fact]
    public async Task Operator_story_from_ConvertFrom_Json_to_a_scaled_manifest()
    {
        var convertFromJson = new List<KeyValuePair<string, object?>>
        {
            new("image", "dockerfile/nginx"),
            new("scale", 1L),
            new("services", new List<KeyValuePair<string, object?>> { new("nginx", 80L) }),
        };
        var source = ManifestInput.Convert(convertFromJson);
        var (app, name) = ManifestTarget.Resolve("story", "nginx", source);
        await ManifestWrites.ExecuteAsync(Ops, await ManifestWrites.PlanSetAsync(Ops, app, name, source.Manifest));

        // The agents (and etcdctl get) read exactly the seed's JSON, in canonical form.
        Assert.Equal("""{"image":"dockerfile/nginx","scale":1,"services":{"nginx":{"port":80,"protocol":"tcp"}}}""", await RawAsync("story", "nginx"));

        foreach (var info in await ManifestWrites.GetAsync(Ops, "story", null))
            await ManifestWrites.ExecuteAsync(Ops, await ManifestWrites.PlanUpdateAsync(Ops, info.App, info.Name, info, new ManifestEdit(Scale: 5)));
        Assert.Equal(5, (await Ops.GetManifestAsync("story", "nginx")).Manifest!.Scale);
    }

    [Fact]
    public async Task A_manifest_written_with_etcdctl_is_read_like_any_other()
    {
        await _etcd.PutRawManifestAsync("seed", "nginx", """
            {
              "image": "dockerfile/nginx",
              "scale": 1,
              "services": { "nginx": 80 }
            }
            """);
        var info = Assert.Single(await ManifestWrites.GetAsync(Ops, "seed", "nginx"));
        Assert.Equal(StandInAgent.Nginx(), info.Manifest);
        // Set of the same manifest writes nothing: the stored text is not canonical, but it means the same.
        var plan = await ManifestWrites.PlanSetAsync(Ops, "seed", "nginx", StandInAgent.Nginx());
        Assert.Equal("Set manifest: no change", plan.Action);
    }
}
