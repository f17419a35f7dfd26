using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace Dokkaa.PowerShell.Runtime;

/// <summary>
/// Runs when Import-Module loads Dokkaa.PowerShell.dll into pwsh's default context: from then on, when the
/// cmdlets need one of the assemblies they reference directly that ships in Dependencies/ (the etcd client), it comes from
/// <see cref="DependencyLoadContext"/>, and so does everything those assemblies need in turn. Only the
/// cmdlets' own references are answered, so other modules asking the default context for, say, gRPC never
/// receive Dokkaa's copy. When the module is installed without a Dependencies folder (the tests load the
/// assembly straight from the build output) the default context finds everything itself and this stays out
/// of the way. The hook stays after Remove-Module: Dokkaa.PowerShell.dll stays loaded in the default context
/// (it cannot be unloaded), and a later Import-Module in the same session uses it again.
/// </summary>
public sealed class ModuleAssemblyResolver : IModuleAssemblyInitializer
{
    private static readonly object Gate = new();
    private static DependencyLoadContext? s_context;
    private static HashSet<string>? s_ownReferences;

    public void OnImport()
    {
        lock (Gate)
        {
            if (s_context is not null)
                return;
            var module = typeof(ModuleAssemblyResolver).Assembly;
            var folder = Path.Combine(Path.GetDirectoryName(module.Location)!, DependencyLoadContext.FolderName);
            if (!Directory.Exists(folder))
                return;
            s_context = new DependencyLoadContext(folder);
            s_ownReferences = module.GetReferencedAssemblies().Select(r => r.Name!).Where(n => n is not null).ToHashSet(StringComparer.Ordinal);
            AssemblyLoadContext.Default.Resolving += Resolve;
        }
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        var dependencies = s_context;
        if (dependencies is null || name.Name is null || s_ownReferences?.Contains(name.Name) != true || !dependencies.Holds(name))
            return null;
        return dependencies.LoadFromAssemblyName(name);
    }
}
