using System.Xml.Linq;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Metadata;

/// <summary>Dokkaa.Format.ps1xml: a default table view for every output type, naming only properties that exist.</summary>
public sealed class FormatViewTests
{
    private static readonly XDocument Views = XDocument.Load(Path.Combine(Path.GetDirectoryName(ModuleMetadata.AssemblyPath)!, "Dokkaa.Format.ps1xml"));

    private static IEnumerable<XElement> AllViews => Views.Descendants("View");

    [Fact]
    public void Every_output_type_of_every_cmdlet_has_a_table_view()
    {
        var viewed = AllViews.Where(v => v.Element("TableControl") is not null).Select(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value).ToHashSet(StringComparer.Ordinal);
        var outputs = ModuleMetadata.Cmdlets.SelectMany(c => c.OutputTypes).Select(t => t.FullName!).Where(n => !n.StartsWith("System.", StringComparison.Ordinal)).Distinct();
        Assert.All(outputs, o => Assert.Contains(o, viewed));
    }

    [Fact]
    public void Views_name_real_types_and_properties_with_one_header_per_column()
    {
        var core = ModuleMetadata.Context.LoadFromAssemblyPath(Path.Combine(Path.GetDirectoryName(ModuleMetadata.AssemblyPath)!, "Dokkaa.Core.dll"));
        foreach (var view in AllViews)
        {
            var typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            var type = ModuleMetadata.Module.GetType(typeName) ?? core.GetType(typeName);
            Assert.True(type is not null, $"view {view.Element("Name")!.Value}: no type {typeName}");
            var properties = type!.GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var table = view.Element("TableControl")!;
            var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").ToList();
            var items = table.Descendants("TableColumnItem").ToList();
            Assert.Equal(headers.Count, items.Count);
            foreach (var property in items.Select(i => i.Element("PropertyName")?.Value).OfType<string>())
                Assert.True(properties.Contains(property), $"{typeName} has no property {property}");
            foreach (var script in items.Select(i => i.Element("ScriptBlock")?.Value).OfType<string>())
            {
                foreach (System.Text.RegularExpressions.Match use in System.Text.RegularExpressions.Regex.Matches(script, @"(?<![\w.])\$_\.(?<p>\w+)"))
                    Assert.True(properties.Contains(use.Groups["p"].Value) || script.Contains("GetEnumerator", StringComparison.Ordinal), $"{typeName} has no property {use.Groups["p"].Value} ({script})");
            }
        }
    }

    [Fact]
    public void View_names_are_unique()
    {
        var names = AllViews.Select(v => v.Element("Name")!.Value).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }
}
