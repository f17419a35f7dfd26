using System.Reflection;
using System.Runtime.InteropServices;
using Dokkaa.HelpBuilder;

namespace Dokkaa.PowerShell.Tests.Metadata;

/// <summary>
/// The cmdlets of the built Dokkaa.PowerShell.dll as PowerShell would see them, read with
/// MetadataLoadContext against the System.Management.Automation reference assembly: no PowerShell
/// runtime is needed (none exists on these machines), and no code of the module runs.
/// </summary>
public static class ModuleMetadata
{
    public const string Sma = "System.Management.Automation";
    public const string AllSets = "__AllParameterSets";

    private static readonly Lazy<IReadOnlyList<CmdletMetadata>> Loaded = new(Load);
    private static MetadataLoadContext? _context;

    public static IReadOnlyList<CmdletMetadata> Cmdlets => Loaded.Value;

    public static string AssemblyPath => typeof(ManifestInput).Assembly.Location;

    public static string SmaPath => Path.Combine(AppContext.BaseDirectory, "metadata", "System.Management.Automation.dll");

    public static CmdletMetadata Get(string name) => Cmdlets.Single(c => c.Name == name);

    /// <summary>The load context itself, to inspect other types (ErrorCategory, output types).</summary>
    public static MetadataLoadContext Context
    {
        get
        {
            _ = Loaded.Value;
            return _context!;
        }
    }

    public static Assembly Module => Context.LoadFromAssemblyPath(AssemblyPath);

    private static IReadOnlyList<CmdletMetadata> Load()
    {
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var paths = Directory.GetFiles(runtime, "*.dll")
            .Concat(Directory.GetFiles(Path.GetDirectoryName(AssemblyPath)!, "Dokkaa.*.dll"))
            .Append(SmaPath)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Private.CoreLib");
        var module = _context.LoadFromAssemblyPath(AssemblyPath);
        return module.GetExportedTypes()
            .Where(t => !t.IsAbstract && Attribute(t, "CmdletAttribute") is not null)
            .Select(CmdletMetadata.From)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    internal static CustomAttributeData? Attribute(MemberInfo member, string name) =>
        member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Namespace?.StartsWith(Sma, StringComparison.Ordinal) == true && a.AttributeType.Name == name);

    internal static IEnumerable<CustomAttributeData> Attributes(MemberInfo member, string name) =>
        member.GetCustomAttributesData().Where(a => a.AttributeType.Namespace?.StartsWith(Sma, StringComparison.Ordinal) == true && a.AttributeType.Name == name);

    internal static T? Named<T>(CustomAttributeData attribute, string name, T? fallback = default) =>
        attribute.NamedArguments.Where(a => a.MemberName == name).Select(a => (T?)a.TypedValue.Value).DefaultIfEmpty(fallback).First();
}

/// <summary>One cmdlet's declaration: [Cmdlet], [OutputType], its [Parameter] properties.</summary>
public sealed record CmdletMetadata(
    string Name,
    string Verb,
    string Noun,
    Type Type,
    bool SupportsShouldProcess,
    string ConfirmImpact,
    string? DefaultParameterSet,
    IReadOnlyList<Type> OutputTypes,
    IReadOnlyList<ParameterMetadata> Parameters)
{
    /// <summary>The parameter sets PowerShell would make (the one unnamed set when none is named).</summary>
    public IReadOnlyList<string> ParameterSets
    {
        get
        {
            var named = Parameters.SelectMany(p => p.Sets).Select(s => s.Set).Where(s => s != ModuleMetadata.AllSets).Distinct().ToList();
            return named.Count == 0 ? new[] { ModuleMetadata.AllSets } : named;
        }
    }

    public string EffectiveDefaultSet => DefaultParameterSet ?? ParameterSets[0];

    public static CmdletMetadata From(Type type)
    {
        var cmdlet = ModuleMetadata.Attribute(type, "CmdletAttribute")!;
        var verb = (string)cmdlet.ConstructorArguments[0].Value!;
        var noun = (string)cmdlet.ConstructorArguments[1].Value!;
        var impact = ModuleMetadata.Named<int>(cmdlet, "ConfirmImpact", 2);
        var outputs = ModuleMetadata.Attributes(type, "OutputTypeAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> list ? list.Select(x => x.Value) : new[] { arg.Value })
            .OfType<Type>()
            .ToList();
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => ModuleMetadata.Attribute(p, "ParameterAttribute") is not null)
            .Select(ParameterMetadata.From)
            .ToList();
        return new CmdletMetadata(
            $"{verb}-{noun}", verb, noun, type,
            ModuleMetadata.Named<bool>(cmdlet, "SupportsShouldProcess"),
            impact switch { 0 => "None", 1 => "Low", 2 => "Medium", 3 => "High", _ => impact.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ModuleMetadata.Named<string>(cmdlet, "DefaultParameterSetName"),
            outputs,
            parameters);
    }

    /// <summary>The parameters as the docs describe them, WhatIf and Confirm included when ShouldProcess is supported.</summary>
    public IReadOnlyList<ParameterHelp> ToHelp()
    {
        var help = Parameters.Select(p => p.ToHelp()).ToList();
        if (SupportsShouldProcess)
        {
            help.Add(new ParameterHelp { Name = "WhatIf", Type = "SwitchParameter", Aliases = new[] { "wi" }, DefaultValue = "None" });
            help.Add(new ParameterHelp { Name = "Confirm", Type = "SwitchParameter", Aliases = new[] { "cf" }, DefaultValue = "None" });
        }

        return help;
    }
}

/// <summary>One [Parameter] attribute of a parameter: the set it declares and how it binds there.</summary>
public sealed record ParameterSetBinding(string Set, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName)
{
    /// <summary>Compact form used by the expectations: <c>Name: Mandatory Position=0 ByPropertyName</c>; <c>*</c> is every set.</summary>
    public override string ToString()
    {
        var parts = new List<string> { Set == ModuleMetadata.AllSets ? "*:" : Set + ":" };
        if (Mandatory)
            parts.Add("Mandatory");
        if (Position is { } position)
            parts.Add($"Position={position}");
        if (ByValue)
            parts.Add("ByValue");
        if (ByPropertyName)
            parts.Add("ByPropertyName");
        return string.Join(" ", parts);
    }
}

public sealed record ParameterMetadata(string Name, Type Type, IReadOnlyList<ParameterSetBinding> Sets, IReadOnlyList<string> Aliases, bool Wildcards, string? Completer, IReadOnlyList<string> Validation)
{
    public bool IsSwitch => Type.FullName == "System.Management.Automation.SwitchParameter";

    public bool AcceptsPipeline => Sets.Any(s => s.ByValue || s.ByPropertyName);

    /// <summary>All of its [Parameter] attributes in the compact form, joined by <c> | </c>.</summary>
    public string Binding => string.Join(" | ", Sets.Select(s => s.ToString()));

    public static ParameterMetadata From(PropertyInfo property)
    {
        var sets = ModuleMetadata.Attributes(property, "ParameterAttribute").Select(a =>
        {
            var position = ModuleMetadata.Named(a, "Position", int.MinValue);
            return new ParameterSetBinding(
                ModuleMetadata.Named<string>(a, "ParameterSetName") ?? ModuleMetadata.AllSets,
                ModuleMetadata.Named<bool>(a, "Mandatory"),
                position == int.MinValue ? null : position,
                ModuleMetadata.Named<bool>(a, "ValueFromPipeline"),
                ModuleMetadata.Named<bool>(a, "ValueFromPipelineByPropertyName"));
        }).ToList();
        var aliases = ModuleMetadata.Attributes(property, "AliasAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> list ? list.Select(x => (string)x.Value!) : new[] { (string)arg.Value! })
            .ToList();
        var completer = ModuleMetadata.Attribute(property, "ArgumentCompleterAttribute")?.ConstructorArguments.Select(a => a.Value).OfType<Type>().FirstOrDefault()?.Name;
        var validation = property.GetCustomAttributesData()
            .Where(a => a.AttributeType.Name.StartsWith("Validate", StringComparison.Ordinal) || a.AttributeType.Name.StartsWith("Allow", StringComparison.Ordinal))
            .Select(a => a.AttributeType.Name)
            .ToList();
        return new ParameterMetadata(property.Name, property.PropertyType, sets, aliases, ModuleMetadata.Attribute(property, "SupportsWildcardsAttribute") is not null, completer, validation);
    }

    /// <summary>The parameter as a docs page must describe it (one yaml block: the binding must be the same in every set it is in).</summary>
    public ParameterHelp ToHelp()
    {
        var first = Sets[0];
        if (Sets.Any(s => s with { Set = first.Set } != first))
            throw new InvalidOperationException($"-{Name} binds differently in its sets ({Binding}); the docs check assumes one binding per parameter");
        return new ParameterHelp
        {
            Name = Name,
            Type = DocTypeName(Type),
            ParameterSets = Sets.Any(s => s.Set == ModuleMetadata.AllSets) ? Array.Empty<string>() : Sets.Select(s => s.Set).ToList(),
            Aliases = Aliases,
            Required = first.Mandatory,
            Position = first.Position,
            ByValue = first.ByValue,
            ByPropertyName = first.ByPropertyName,
            Wildcards = Wildcards,
        };
    }

    /// <summary>The type as platyPS writes it in the yaml block: the short .NET name (<c>String[]</c>, <c>SwitchParameter</c>).</summary>
    public static string DocTypeName(Type type) => type.IsArray ? DocTypeName(type.GetElementType()!) + "[]" : type.Name;
}
