namespace Dokkaa.Core.Manifests;

/// <summary>
/// How a link shows up in the container's environment: <c>nginx</c> gives <c>SERVICE_NGINX_ADDR</c> and
/// <c>SERVICE_NGINX_PORT</c> (the Dokkaa seed's names); <c>nginx.shop</c> gives <c>SERVICE_NGINX_SHOP_*</c>.
/// Dashes and dots both become underscores, so the parser refuses two links that would share a prefix.
/// </summary>
public static class LinkEnv
{
    public static string Prefix(string link) =>
        "SERVICE_" + link.ToUpperInvariant().Replace('-', '_').Replace('.', '_');
}
