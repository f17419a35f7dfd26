using BenchmarkDotNet.Attributes;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Benchmarks;

/// <summary>
/// <see cref="ManifestParser.Parse(string)"/> of the seed's two manifests (examples/) and of a manifest using every
/// field; the canonical form, the container hash and the diff of that manifest (equality and every agent pass use
/// the first two).
/// </summary>
[MemoryDiagnoser]
public class ManifestBenchmarks
{
    private string _nginx = "";
    private string _crawler = "";
    private string _full = "";
    private Manifest _every = null!;
    private Manifest _scaled = null!;

    [GlobalSetup]
    public void Setup()
    {
        var examples = Path.Combine(RepositoryRoot(), "examples");
        _nginx = File.ReadAllText(Path.Combine(examples, "nginx.json"));
        _crawler = File.ReadAllText(Path.Combine(examples, "crawler.json"));
        _full = """
            {
              "image": "shop/web:2", "scale": 4,
              "services": { "web": 80, "admin": { "port": 9000, "protocol": "tcp", "role": "admin" } },
              "command": ["/bin/sh", "-c", "exec httpd -f -p 80"],
              "links": ["db", "search.otherapp"],
              "env": { "MODE": "production", "LOG": "info" },
              "http": { "host": "shop.example.com", "port": 80 },
              "constraints": { "zone": "eu-1" },
              "resources": { "cpus": 0.5, "memory": "256m" },
              "exclusive": false
            }
            """;
        _every = ManifestParser.Parse(_full);
        _scaled = _every with { Scale = 5 };
    }

    /// <summary>The seed's examples/nginx.json.</summary>
    [Benchmark(Baseline = true)]
    public Manifest SeedNginx() => ManifestParser.Parse(_nginx);

    /// <summary>The seed's examples/crawler.json.</summary>
    [Benchmark]
    public Manifest SeedCrawler() => ManifestParser.Parse(_crawler);

    /// <summary>Every field of the manifest format.</summary>
    [Benchmark]
    public Manifest EveryField() => ManifestParser.Parse(_full);

    /// <summary>The canonical JSON of the manifest with every field.</summary>
    [Benchmark]
    public string CanonicalEveryField() => ManifestSerializer.ToCanonicalJson(_every);

    /// <summary>The label every container carries, of the manifest with every field.</summary>
    [Benchmark]
    public string ContainerHashEveryField() => ManifestSerializer.ContainerHash(_every);

    /// <summary>What -WhatIf and apply --dry-run show for a scale change of the manifest with every field.</summary>
    [Benchmark]
    public string DiffEveryField() => ManifestDiff.Describe(_every, _scaled);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dokkaa.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("run from inside the Dokkaa repository (examples/ not found)");
    }
}
