namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Collects every problem found while reading a manifest, so an operator sees all of them at once
/// instead of fixing one error per attempt.
/// </summary>
internal sealed class ErrorList
{
    /// <summary>
    /// Errors kept per manifest. A hostile manifest (40,000 bad command items) otherwise yields a status etcd refuses
    /// and an agent that holds every message; the first ones are what an operator fixes first anyway.
    /// </summary>
    public const int MaxKept = 50;

    private readonly List<ManifestError> _errors = new();
    private int _dropped;

    public int Count => _errors.Count + _dropped;

    public IReadOnlyList<ManifestError> Items =>
        _dropped == 0 ? _errors : _errors.Append(new ManifestError(JsonPath.Root, $"and {_dropped} more error(s)")).ToList();

    public void Add(string path, string message)
    {
        if (_errors.Count < MaxKept)
            _errors.Add(new ManifestError(path, message));
        else
            _dropped++;
    }
}
