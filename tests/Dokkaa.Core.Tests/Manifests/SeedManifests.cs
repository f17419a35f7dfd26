namespace Dokkaa.Core.Tests.Manifests;

/// <summary>The manifests of the Dokkaa README, verbatim: they must keep parsing forever.</summary>
internal static class SeedManifests
{
    public const string Nginx = """
        {
          "image": "dockerfile/nginx",
          "scale": 1,
          "services": {
            "nginx": 80
          }
        }
        """;

    public const string Crawler = """
        {
          "image": "dockerfile/ubuntu",
          "scale": 1,
          "command": [
              "/bin/bash",
              "-c",
              "while true; do curl http://$SERVICE_NGINX_ADDR:$SERVICE_NGINX_PORT; sleep 2; done"
          ],
          "links": [
              "nginx"
          ]
        }
        """;

    /// <summary>Every field set, in the later object form for services.</summary>
    public const string Full = """
        {
          "image": "registry.example.com:5000/shop/web:1.2",
          "scale": 3,
          "services": {
            "web": { "port": 8080, "protocol": "tcp", "role": "web" },
            "metrics": { "port": 9100 },
            "dns": { "port": 53, "protocol": "udp" }
          },
          "command": ["/app/web", "--listen", ":8080"],
          "links": ["db", "cache.shared"],
          "env": { "MODE": "production", "_X1": "" },
          "http": { "host": "shop.example.com", "port": 8080 },
          "exclusive": true
        }
        """;
}
