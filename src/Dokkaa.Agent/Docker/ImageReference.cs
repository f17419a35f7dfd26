namespace Dokkaa.Agent.Docker;

/// <summary>
/// Splits an image reference into the <c>fromImage</c> and <c>tag</c> of <c>POST /images/create</c>:
/// <c>dockerfile/nginx</c> is latest, <c>127.0.0.1:5000/app:1</c> is tag 1 (the first colon is a port),
/// <c>app@sha256:...</c> passes the digest as the tag, which the daemon accepts.
/// </summary>
internal static class ImageReference
{
    public static (string Repository, string Tag) Split(string image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
            return (image[..at], image[(at + 1)..]);
        var colon = image.LastIndexOf(':');
        if (colon > image.LastIndexOf('/'))
            return (image[..colon], image[(colon + 1)..]);
        return (image, "latest");
    }
}
