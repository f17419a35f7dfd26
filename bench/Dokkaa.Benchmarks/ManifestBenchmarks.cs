using BenchmarkDotNet.Attributes;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Benchmarks;

/// <summary><see cref="ManifestParser.Parse(string)"/> of the seed's two manifests (examples/) and of a manifest using every field.</summary>
[MemoryDiagnoser]
public class ManifestBenchmarks
{
    private string _nginx = "";
    private string _crawler = "";
    private string _full = "";

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
