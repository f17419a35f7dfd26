using Dokkaa.Core.Manifests;

namespace Dokkaa.PowerShell;

/// <summary>
/// A manifest read from operator input, with the app and name the input itself carried (an <c>app</c> or
/// <c>name</c> property, a <see cref="Dokkaa.Core.Operations.ManifestInfo"/>, or a file called
/// <c>&lt;app&gt;.&lt;name&gt;.json</c>), if any.
/// </summary>
/// <param name="Origin">What the input was, for messages: <c>file /x/nginx.json</c>, <c>hashtable</c> ...</param>
public sealed record ManifestSource(Manifest Manifest, string? App, string? Name, string Origin);

/// <summary>What <c>Test-DokkaaManifest -Detailed</c> reports for one input.</summary>
public sealed record ManifestTestResult(string Origin, bool IsValid, IReadOnlyList<ManifestError> Errors, Manifest? Manifest, string? App, string? Name)
{
    /// <summary>The errors as one line each: <c>$.services.nginx: port 70000 is out of range 1-65535</c>.</summary>
    public string[] Messages => Errors.Select(e => e.ToString()).ToArray();
}
