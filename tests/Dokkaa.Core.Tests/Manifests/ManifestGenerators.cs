using System.Text.Json;
using System.Text.Json.Nodes;
using Dokkaa.Core.Manifests;
using FsCheck;
using FsCheck.Fluent;

namespace Dokkaa.Core.Tests.Manifests;

/// <summary>FsCheck generators: valid manifests, and valid manifest JSON broken in every way a hand can break it.</summary>
internal static class ManifestGenerators
{
    private static readonly string[] Images =
    {
        "nginx", "dockerfile/nginx", "nginx:1.25", "registry.example.com:5000/shop/web:1.2",
        "localhost/a_b.c-d", "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    };

    private static readonly string[] Fragments =
    {
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "null", "true", "-1", "0", "1e999", "70000",
        "1.5", " ", "\n", "\u0000", "\u00e9", "\ud83d\ude00", "\ud800", "a;}", "$", "---", "SERVICE_", "\"image\"",
        "\"scale\"", "\"services\"", "\"port\"", "\"env\"", "\"http\"", "\"\":", "{\"a\":1}", "[[[[", "]]]]",
    };

    private static Gen<string> Label() =>
        Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray()), n))
            .Select(chars => new string(chars));

    private static Gen<string> AnyText() =>
        Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null && !s.Contains('\0') && !HasUnpairedSurrogate(s)),
            Gen.Elements("", "x", "$HOME", "a \"b\" \\ c\n", "\u00e9\ud83d\ude00"));

    public static Gen<Manifest> ValidManifest() =>
        from image in Gen.Elements(Images)
        from scale in Gen.Choose(0, 1000)
        from services in Gen.ListOf(Gen.Zip(Label(), Service()))
        from command in Gen.OneOf(Gen.Constant<List<string>?>(null), Gen.NonEmptyListOf(AnyText()).Select(c => (List<string>?)c.Prepend("/bin/sh").ToList()))
        from links in Gen.ListOf(Gen.OneOf(Label(), Gen.Zip(Label(), Label()).Select(p => $"{p.Item1}.{p.Item2}")))
        from env in Gen.ListOf(Gen.Zip(Label().Select(l => "V" + l.ToUpperInvariant()), AnyText()))
        from http in Gen.OneOf(Gen.Constant<HttpRoute?>(null), Gen.Zip(Gen.NonEmptyListOf(Label()), Gen.Choose(1, 65535)).Select(h => (HttpRoute?)new HttpRoute(string.Join('.', h.Item1), h.Item2)))
        from exclusive in ArbMap.Default.GeneratorFor<bool>()
        let named = services.DistinctBy(s => s.Item1).ToDictionary(s => s.Item1, s => s.Item2)
        select new Manifest
        {
            Image = image,
            Scale = scale,
            Services = named,
            Command = command,
            Links = links.Distinct().Take(Dokkaa.Core.Manifests.Parsing.LinksReader.MaxLinks).ToList(),
            Env = env.DistinctBy(e => e.Item1).ToDictionary(e => e.Item1, e => e.Item2),
            // http.port must be one of the services' tcp ports (HttpPort rule).
            Http = http is { Host.Length: <= 253 } && named.Values.FirstOrDefault(s => s.Protocol == "tcp") is { } web
                ? http with { Port = web.Port }
                : null,
            Exclusive = exclusive,
        };

    private static Gen<ServicePort> Service() =>
        from port in Gen.Choose(1, 65535)
        from protocol in Gen.Elements("tcp", "udp")
        from role in Gen.Elements<string?>(null, "web", "db", "metrics")
        select new ServicePort(port, protocol, role);

    /// <summary>Character-level damage: deletions, insertions and swaps, a few at a time.</summary>
    public static Gen<string> TextMutation(string json) =>
        Gen.Choose(1, 4).SelectMany(count => Gen.ListOf(Edit(), count)).Select(edits =>
        {
            var text = json;
            foreach (var edit in edits)
            {
                text = edit(text);
            }

            return text;
        });

    private static Gen<Func<string, string>> Edit() =>
        from kind in Gen.Choose(0, 3)
        from at in Gen.Choose(0, 10_000)
        from length in Gen.Choose(1, 20)
        from fragment in Gen.OneOf(Gen.Elements(Fragments), ArbMap.Default.GeneratorFor<char>().Select(c => c.ToString()))
        select (Func<string, string>)(text =>
        {
            var i = text.Length == 0 ? 0 : at % text.Length;
            var n = Math.Min(length, text.Length - i);
            return kind switch
            {
                0 => text.Remove(i, n),
                1 => text.Insert(i, fragment),
                2 => text.Remove(i, n).Insert(i, fragment),
                _ => text.Insert(i, text.Substring(i, n)),
            };
        });

    /// <summary>Value-level damage: some value in the tree replaced by another JSON value of any type.</summary>
    public static Gen<string> StructuralMutation(string json) =>
        Gen.Choose(1, 3).SelectMany(count => Gen.ListOf(Gen.Zip(Gen.Choose(0, 10_000), JsonValue()), count)).Select(replacements =>
        {
            var root = JsonNode.Parse(json)!;
            foreach (var (pick, value) in replacements)
            {
                var slots = Slots(root).ToList();
                var (parent, key) = slots[pick % slots.Count];
                var copy = value?.DeepClone();
                switch (parent)
                {
                    case JsonObject obj when key is string name:
                        obj[name] = copy;
                        break;
                    case JsonArray array when key is int index:
                        array[index] = copy;
                        break;
                }
            }

            return root.ToJsonString();
        });

    /// <summary>The manifest's fields, written in a random order with random spacing.</summary>
    public static Gen<string> ShuffledKeys(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var fields = root.Select(p => $"{JsonSerializer.Serialize(p.Key)}: {p.Value!.ToJsonString()}").ToArray();
        return from order in Gen.Shuffle(fields)
               from space in Gen.Elements("", " ", "\n  ", "\t")
               select "{" + space + string.Join("," + space, order) + space + "}";
    }

    private static Gen<JsonNode?> JsonValue() =>
        Gen.OneOf(
            Gen.Constant<JsonNode?>(null),
            ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)b),
            ArbMap.Default.GeneratorFor<int>().Select(i => (JsonNode?)i),
            Gen.Elements(-1L, 0L, 1L, 65535L, 65536L, 1001L, long.MaxValue).Select(l => (JsonNode?)l),
            Gen.Elements(1.5, -0.0, 1e300).Select(d => (JsonNode?)d),
            AnyText().Select(s => (JsonNode?)s),
            Gen.Elements("a;}", "Nginx", "a---b", "SERVICE_X", "*.a.com", "tcp", "udp", "nginx").Select(s => (JsonNode?)s),
            Gen.Constant<JsonNode?>(new JsonArray()),
            Gen.Constant<JsonNode?>(new JsonObject()),
            Gen.Constant<JsonNode?>(new JsonArray("a", 1, null)),
            Gen.Constant<JsonNode?>(new JsonObject { ["port"] = 80, ["protocol"] = "tcp" }),
            Gen.Constant<JsonNode?>(new JsonObject { ["host"] = "a.b", ["port"] = 80 }));

    /// <summary>Every place a value sits in the tree, as (container, key or index).</summary>
    private static IEnumerable<(JsonNode Parent, object Key)> Slots(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    yield return (obj, name);
                    if (child is not null)
                    {
                        foreach (var slot in Slots(child))
                        {
                            yield return slot;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (array, i);
                    if (array[i] is { } child)
                    {
                        foreach (var slot in Slots(child))
                        {
                            yield return slot;
                        }
                    }
                }

                break;
        }
    }

    private static bool HasUnpairedSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }
}
