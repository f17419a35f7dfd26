using System.Collections;
using System.Collections.Specialized;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Input;

/// <summary>
/// Every form Set-/Test-DokkaaManifest accept, through the real manifest rules. A <c>PSCustomObject</c> is
/// a property bag (what the cmdlets' unwrap makes of one): a list of name/value pairs; nested objects are
/// bags too, and a <see cref="Wrapped"/> stands for a PSObject around a value.
/// </summary>
public sealed class ManifestInputTests : IDisposable
{
    private const string SeedNginx = """{ "image": "dockerfile/nginx", "scale": 1, "services": { "nginx": 80 } }""";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dokkaa-ps-input-");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>A stand-in for PowerShell's PSObject wrapper, to prove unwrap is applied at every level.</summary>
    private sealed record Wrapped(object? Value);

    private static object? Unwrap(object value) => value is Wrapped w ? w.Value : value;

    private static List<KeyValuePair<string, object?>> Bag(params (string Key, object? Value)[] properties) =>
        properties.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToList();

    private static Manifest Seed => ManifestParser.Parse(SeedNginx);

    [Fact]
    public void ConvertFrom_Json_style_object_becomes_the_same_manifest_as_the_JSON()
    {
        var bag = Bag(("image", "dockerfile/nginx"), ("scale", 1L), ("services", Bag(("nginx", 80L))));
        var source = ManifestInput.Convert(bag, Unwrap);
        Assert.Equal(Seed, source.Manifest);
        Assert.Null(source.App);
        Assert.Equal("object", source.Origin);
    }

    [Fact]
    public void Wrapped_values_are_unwrapped_at_every_level()
    {
        var bag = new Wrapped(Bag(
            ("image", new Wrapped("dockerfile/nginx")),
            ("services", new Wrapped(Bag(("nginx", new Wrapped(Bag(("port", new Wrapped(80)), ("protocol", "tcp"), ("role", "web"))))))),
            ("command", new Wrapped(new object[] { new Wrapped("/bin/sh"), "-c", "nginx" })),
            ("links", new object[] { "db" })));
        var manifest = ManifestInput.Convert(bag, Unwrap).Manifest;
        Assert.Equal(new ServicePort(80, "tcp", "web"), manifest.Services["nginx"]);
        Assert.Equal(["/bin/sh", "-c", "nginx"], manifest.Command);
        Assert.Equal(["db"], manifest.Links);
    }

    [Fact]
    public void Hashtable_with_PowerShell_casing_of_field_names()
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["Image"] = "dockerfile/nginx",
            ["Scale"] = 2,
            ["Services"] = new Hashtable { ["nginx"] = 80, ["dns"] = new Hashtable { ["Port"] = 53, ["Protocol"] = "udp" } },
            ["Env"] = new Hashtable { ["MODE"] = "production" },
            ["Http"] = new Hashtable { ["Host"] = "shop.example.com", ["Port"] = 80 },
            ["Exclusive"] = true,
        };
        var source = ManifestInput.Convert(table, Unwrap);
        var manifest = source.Manifest;
        Assert.Equal("hashtable", source.Origin);
        Assert.Equal(2, manifest.Scale);
        Assert.Equal(new ServicePort(53, "udp"), manifest.Services["dns"]);
        Assert.Equal("production", manifest.Env["MODE"]);
        Assert.Equal(new HttpRoute("shop.example.com", 80), manifest.Http);
        Assert.True(manifest.Exclusive);
    }

    [Fact]
    public void Names_that_are_data_keep_their_case_and_are_judged_by_the_rules()
    {
        // Env names are case-sensitive; service names must be lowercase labels: "Nginx" is refused, not lowered.
        var result = ManifestInput.Test(new Hashtable { ["image"] = "nginx", ["services"] = new Hashtable { ["Nginx"] = 80 }, ["env"] = new Hashtable { ["Mode"] = "x" } }, Unwrap);
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("$.services.Nginx", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Hashtable_errors_name_every_field_with_the_rules_messages()
    {
        var table = new OrderedDictionary
        {
            ["image"] = "nginx",
            ["scale"] = -1,
            ["services"] = new Hashtable { ["nginx"] = 70000 },
            ["env"] = new Hashtable { ["PORT"] = 8080 },
            ["colour"] = "blue",
        };
        var e = Assert.Throws<DokkaaException>(() => ManifestInput.Convert(table, Unwrap));
        Assert.Equal(DokkaaErrorKind.ManifestInvalid, e.Kind);
        Assert.Equal("DokkaaManifestInvalid", e.ErrorId);
        var errors = Assert.IsType<ManifestValidationException>(e.InnerException).Errors;
        Assert.Contains(errors, x => x.ToString() == "$.services.nginx: port 70000 is out of range 1-65535");
        Assert.Contains(errors, x => x.Path == "$.scale" && x.Message.Contains(">= 0", StringComparison.Ordinal));
        Assert.Contains(errors, x => x.Path == "$.env.PORT" && x.Message.Contains("expected a string", StringComparison.Ordinal));
        Assert.Contains(errors, x => x.Path == "$.colour");
        Assert.StartsWith("Hashtable: Invalid manifest (4 errors):", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_that_JSON_cannot_hold_are_errors_at_their_path()
    {
        var result = ManifestInput.Test(Bag(("image", "nginx"), ("env", Bag(("WHEN", DateTime.UnixEpoch))), ("scale", double.NaN)), Unwrap);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Path == "$.env.WHEN" && e.Message.Contains("System.DateTime", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Path == "$.scale" && e.Message.Contains("finite", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fractional_scale_is_refused_by_the_rules()
    {
        var result = ManifestInput.Test(Bag(("image", "nginx"), ("scale", 1.5)), Unwrap);
        Assert.Equal("$.scale: must be an integer >= 0, got 1.5", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void App_and_name_properties_are_the_target_not_fields_in_any_form()
    {
        var bag = ManifestInput.Convert(Bag(("App", "dummy"), ("Name", "nginx"), ("image", "dockerfile/nginx")), Unwrap);
        Assert.Equal(("dummy", "nginx"), (bag.App, bag.Name));

        var json = ManifestInput.Convert("""{ "app": "dummy", "name": "nginx", "image": "dockerfile/nginx" }""", Unwrap);
        Assert.Equal(("dummy", "nginx"), (json.App, json.Name));
        Assert.Equal("dockerfile/nginx", json.Manifest.Image);

        var bad = ManifestInput.Test("""{ "app": 5, "image": "nginx" }""", Unwrap);
        Assert.Equal("$.app: must be a string, got number", Assert.Single(bad.Errors).ToString());
    }

    [Fact]
    public void JSON_text_means_what_ConvertFrom_Json_of_it_means_with_the_parser_messages()
    {
        Assert.Equal(Seed, ManifestInput.Convert(SeedNginx).Manifest);

        // Field names match without regard to case, as they do on the PSCustomObject ConvertFrom-Json makes.
        Assert.Equal(new Manifest { Image = "nginx" }, ManifestInput.Convert("""{ "Image": "nginx" }""").Manifest);

        // What ConvertTo-Json writes for a manifest object: every property, unset ones as null.
        var written = """{"Image":"nginx","Scale":2,"Services":{"web":{"Port":80,"Protocol":"tcp","Role":null}},"Command":null,"Links":[],"Env":{},"Http":null,"Exclusive":false,"Constraints":{"zone":"a"},"Resources":{"MilliCpus":500,"MemoryBytes":268435456}}""";
        var expected = ManifestParser.Parse("""{"image":"nginx","scale":2,"services":{"web":80},"constraints":{"zone":"a"},"resources":{"cpus":0.5,"memory":"256m"}}""");
        Assert.Equal(expected, ManifestInput.Convert(written).Manifest);

        // Everything else is the parser's: unknown fields, wrong types, broken JSON, in its words.
        var unknown = ManifestInput.Test("""{ "image": "nginx", "imagee": "x" }""");
        Assert.Equal("$.imagee: unknown field (expected one of: " + string.Join(", ", ManifestSchema.Names) + ")", Assert.Single(unknown.Errors).ToString());
        var missing = ManifestInput.Test("""{ "Scale": 1 }""");
        Assert.Equal("$.image: required", Assert.Single(missing.Errors).ToString());
        var nullInList = ManifestInput.Test("""{ "image": "nginx", "command": ["a", null] }""");
        Assert.False(nullInList.IsValid);
        Assert.Equal("$.command[1]", Assert.Single(nullInList.Errors).Path);

        var broken = ManifestInput.Test("{ \"image\": ");
        Assert.StartsWith("not valid JSON", Assert.Single(broken.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_of_Get_Content_gets_a_hint()
    {
        var e = Assert.Throws<DokkaaException>(() => ManifestInput.Convert("  \"image\": \"nginx\","));
        Assert.Contains("Get-Content -Raw", e.Message, StringComparison.Ordinal);
        var path = Assert.Throws<DokkaaException>(() => ManifestInput.Convert("./nginx.json"));
        Assert.Contains("-Path", path.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_give_their_manifest_and_names()
    {
        var plain = Write("nginx.json", SeedNginx);
        var source = ManifestInput.Convert(plain);
        Assert.Equal(Seed, source.Manifest);
        Assert.Equal((null, "nginx"), (source.App, source.Name));
        Assert.Equal($"file {plain.FullName}", source.Origin);

        var qualified = ManifestInput.Convert(Write("dummy.crawler.json", """{ "image": "dockerfile/ubuntu", "links": ["nginx"] }"""));
        Assert.Equal(("dummy", "crawler"), (qualified.App, qualified.Name));

        // Properties in the file win over the file name.
        var inside = ManifestInput.Convert(Write("whatever.json", """{ "app": "shop", "name": "web", "image": "nginx" }"""));
        Assert.Equal(("shop", "web"), (inside.App, inside.Name));
    }

    [Fact]
    public void File_with_a_byte_order_mark_is_read()
    {
        var file = new FileInfo(Path.Combine(_dir.FullName, "bom.json"));
        File.WriteAllText(file.FullName, SeedNginx, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(Seed, ManifestInput.Convert(file).Manifest);
    }

    [Fact]
    public void Invalid_file_errors_name_the_file_and_the_field()
    {
        var file = Write("bad.json", """{ "image": "nginx", "services": { "nginx": 70000 } }""");
        var e = Assert.Throws<DokkaaException>(() => ManifestInput.Convert(file));
        Assert.Equal($"File {file.FullName}: Invalid manifest: $.services.nginx: port 70000 is out of range 1-65535", e.Message);
    }

    [Fact]
    public void Missing_file_is_an_error_not_an_exception_of_its_own()
    {
        var result = ManifestInput.Test(new FileInfo(Path.Combine(_dir.FullName, "absent.json")));
        Assert.False(result.IsValid);
        Assert.Contains("cannot read the file", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.Equal("absent", result.Name);
    }

    [Fact]
    public void Objects_from_the_cmdlets_pass_through_with_their_names()
    {
        var info = new ManifestInfo("dummy", "nginx", Seed, SeedNginx, Array.Empty<ManifestError>(), 7);
        Assert.Equal(("dummy", "nginx"), (ManifestInput.Convert(info).App, ManifestInput.Convert(info).Name));
        var change = new ManifestChange("dummy", "nginx", ManifestChangeKind.Created, Seed, null, 8);
        Assert.Equal(Seed, ManifestInput.Convert(change).Manifest);
        Assert.Equal(Seed, ManifestInput.Convert(Seed).Manifest);

        var broken = new ManifestInfo("dummy", "x", null, "{}", new[] { new ManifestError("$.image", "required") }, 9);
        var result = ManifestInput.Test(broken);
        Assert.False(result.IsValid);
        Assert.Equal("$.image: required", Assert.Single(result.Messages));
    }

    [Fact]
    public void A_manifest_object_built_in_code_is_validated_too()
    {
        var result = ManifestInput.Test(Seed with { Scale = 5000 });
        Assert.False(result.IsValid);
        Assert.Equal("$.scale", Assert.Single(result.Errors).Path);
    }

    [Theory]
    [InlineData(42)]
    [InlineData(true)]
    public void Anything_else_is_refused_with_what_is_accepted(object input)
    {
        var result = ManifestInput.Test(input);
        Assert.Contains("cannot read a manifest from a System.", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("ConvertFrom-Json", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.False(ManifestInput.Test(null).IsValid);
    }

    [Fact]
    public void Deeply_nested_input_is_refused_not_overflowed()
    {
        object deep = "x";
        for (var i = 0; i < 100; i++)
            deep = Bag(("a", deep));
        var result = ManifestInput.Test(Bag(("image", "nginx"), ("env", deep)), Unwrap);
        Assert.Contains(result.Errors, e => e.Message.Contains("nested more than", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nginx.json", null, "nginx")]
    [InlineData("dummy.nginx.json", "dummy", "nginx")]
    [InlineData("nginx", null, "nginx")]
    [InlineData("a.b.c.json", null, null)]
    [InlineData(".json", null, null)]
    public void Names_from_file_names(string file, string? app, string? name) =>
        Assert.Equal((app, name), ManifestInput.NamesFromFileName(file));

    [Fact]
    public void New_DokkaaManifest_parameters_build_through_the_same_rules()
    {
        var built = ManifestParameters.Build(new Dictionary<string, object?> { ["Image"] = "dockerfile/nginx", ["Scale"] = 1, ["Service"] = new Hashtable { ["nginx"] = 80 } });
        Assert.True(built.IsValid);
        Assert.Equal(Seed, built.Manifest);

        var full = ManifestParameters.Build(new Dictionary<string, object?>
        {
            ["Image"] = "shop/web:1.4",
            ["Scale"] = 3,
            ["Service"] = new Hashtable { ["web"] = 8080 },
            ["Link"] = new[] { "db", "search.catalog" },
            ["Command"] = new[] { "/bin/sh", "-c", "run" },
            ["Env"] = new Hashtable { ["MODE"] = "production" },
            ["HttpHost"] = "shop.example.com",
            ["HttpPort"] = 8080,
            ["Exclusive"] = true,
        });
        Assert.True(full.IsValid, string.Join("; ", full.Messages));
        Assert.Equal(new HttpRoute("shop.example.com", 8080), full.Manifest!.Http);

        var noPort = ManifestParameters.Build(new Dictionary<string, object?> { ["Image"] = "nginx", ["HttpHost"] = "shop.example.com" });
        Assert.Contains(noPort.Errors, e => e.ToString() == "$.http.port: required");
        Assert.Equal("parameters", noPort.Origin);
    }

    private FileInfo Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return new FileInfo(path);
    }
}
