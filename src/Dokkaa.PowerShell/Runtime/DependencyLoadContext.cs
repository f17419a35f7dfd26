using System.Reflection;
using System.Runtime.Loader;

namespace Dokkaa.PowerShell.Runtime;

/// <summary>
/// Where the module's dependencies live inside pwsh: the etcd client, gRPC and protobuf, loaded from the
/// module's Dependencies folder into a context of their own. Another module (or pwsh itself) may load a
/// different version of gRPC or protobuf into the default context; each side then keeps its own and neither
/// breaks the other. Anything not in the folder comes from the default context as usual: the .NET runtime,
/// PowerShell, and Dokkaa.Core, whose types scripts name (<c>[Dokkaa.Core.Manifests.Manifest]</c>) and which
/// PowerShell finds by name only in the default context.
/// </summary>
internal sealed class DependencyLoadContext(string directory) : AssemblyLoadContext("Dokkaa.PowerShell dependencies")
{
    /// <summary>The folder, next to Dokkaa.PowerShell.dll, that scripts/build-module.sh fills.</summary>
    public const string FolderName = "Dependencies";

    public string Directory { get; } = directory;

    public bool Holds(AssemblyName name) => name.Name is not null && File.Exists(PathOf(name));

    protected override Assembly? Load(AssemblyName assemblyName) =>
        Holds(assemblyName) ? LoadFromAssemblyPath(PathOf(assemblyName)) : null;

    private string PathOf(AssemblyName name) => Path.Combine(Directory, name.Name + ".dll");
}
