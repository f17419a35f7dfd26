using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell;

/// <summary>Decides which app and name a piped manifest is written to.</summary>
public static class ManifestTarget
{
    /// <summary>
    /// <c>-App</c>/<c>-Name</c> first, then what the input carried (its <c>app</c>/<c>name</c> properties
    /// or its file name); both must then be valid names.
    /// </summary>
    /// <exception cref="DokkaaException"><see cref="DokkaaErrorKind.NameInvalid"/>: missing or invalid.</exception>
    public static (string App, string Name) Resolve(string? app, string? name, ManifestSource source)
    {
        var finalApp = string.IsNullOrEmpty(app) ? source.App : app;
        var finalName = string.IsNullOrEmpty(name) ? source.Name : name;
        if (string.IsNullOrEmpty(finalApp))
            throw new DokkaaException(DokkaaErrorKind.NameInvalid, $"No app for the manifest from {source.Origin}: give -App, an 'app' property, or name the file <app>.<name>.json.");
        if (string.IsNullOrEmpty(finalName))
            throw new DokkaaException(DokkaaErrorKind.NameInvalid, $"No name for the manifest from {source.Origin}: give -Name, a 'name' property, or name the file <name>.json.");
        Validate(finalApp, finalName);
        return (finalApp, finalName);
    }

    /// <exception cref="DokkaaException"><see cref="DokkaaErrorKind.NameInvalid"/>.</exception>
    public static void Validate(string app, string name)
    {
        try
        {
            ResourceNames.ValidateApp(app);
            ResourceNames.ValidateName(name);
        }
        catch (InvalidResourceNameException e)
        {
            throw new DokkaaException(DokkaaErrorKind.NameInvalid, e.Message, e);
        }
    }
}
