using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

/// <summary>Shorthands for asserting what the parser says about a piece of JSON.</summary>
internal static class ManifestAssert
{
    public static IReadOnlyList<ManifestError> Errors(string json)
    {
        var exception = Assert.Throws<ManifestValidationException>(() => ManifestParser.Parse(json));
        Assert.NotEmpty(exception.Errors);
        return exception.Errors;
    }

    /// <summary>Exactly one error, at <paramref name="path"/>, whose message contains <paramref name="message"/>.</summary>
    public static ManifestError SingleError(string json, string path, string message)
    {
        var errors = Errors(json);
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>A minimal valid manifest with <paramref name="fields"/> (JSON members) added.</summary>
    public static string With(string fields) => $$"""{"image": "nginx", {{fields}}}""";
}
