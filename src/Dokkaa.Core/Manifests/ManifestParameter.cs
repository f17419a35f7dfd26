namespace Dokkaa.Core.Manifests;

/// <summary>
/// A parameter of New-DokkaaManifest that sets a manifest field: the whole value when <paramref name="Member"/>
/// is null (<c>-Scale</c>), else one member of the field's object (<c>-HttpPort</c> is <c>http.port</c>).
/// </summary>
public sealed record ManifestParameter(string Name, string? Member = null);
