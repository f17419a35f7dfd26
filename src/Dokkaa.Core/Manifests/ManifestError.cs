namespace Dokkaa.Core.Manifests;

/// <summary>One thing wrong with a manifest: where (a JSON path such as <c>$.services.nginx</c>) and why.</summary>
public sealed record ManifestError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// The only exception the manifest parser throws. It carries every error found, not just the first,
/// so an operator can fix a manifest in one go.
/// </summary>
public sealed class ManifestValidationException : Exception
{
    public ManifestValidationException(IReadOnlyList<ManifestError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ManifestError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<ManifestError> errors) =>
        errors.Count == 1
            ? $"Invalid manifest: {errors[0]}"
            : $"Invalid manifest ({errors.Count} errors): " + string.Join("; ", errors);
}
