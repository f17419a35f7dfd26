namespace Dokkaa.WebConsole.Live;

/// <summary>One thing wrong with a request, and where: a JSON path in the manifest (<c>$.services.nginx</c>) or a route value (<c>app</c>).</summary>
public sealed record FieldError(string Path, string Message);
