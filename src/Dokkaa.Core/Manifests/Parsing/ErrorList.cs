namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Collects every problem found while reading a manifest, so an operator sees all of them at once
/// instead of fixing one error per attempt.
/// </summary>
internal sealed class ErrorList
{
    private readonly List<ManifestError> _errors = new();

    public int Count => _errors.Count;

    public IReadOnlyList<ManifestError> Items => _errors;

    public void Add(string path, string message) => _errors.Add(new ManifestError(path, message));
}
