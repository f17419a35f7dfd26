using Xunit;

namespace Dokkaa.PowerShell.Tests.Metadata;

/// <summary>Every cmdlet's declaration, read from the built assembly, against <see cref="CmdletSpec"/> and PowerShell's rules.</summary>
public sealed class CmdletMetadataTests
{
    public static TheoryData<string> CmdletNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in CmdletSpec.All.Keys.Order(StringComparer.Ordinal))
            data.Add(name);
        return data;
    }

    [Fact]
    public void The_assembly_declares_exactly_the_specified_cmdlets()
    {
        Assert.Equal(CmdletSpec.All.Keys.Order(StringComparer.Ordinal), ModuleMetadata.Cmdlets.Select(c => c.Name));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Verb_is_approved_and_noun_starts_with_Dokkaa(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        Assert.Contains(cmdlet.Verb, ApprovedVerbs.All);
        Assert.StartsWith("Dokkaa", cmdlet.Noun, StringComparison.Ordinal);
        Assert.Equal(name.Replace("-", "", StringComparison.Ordinal) + "Command", cmdlet.Type.Name);
        Assert.Equal("Dokkaa.PowerShell.Commands", cmdlet.Type.Namespace);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Cmdlets_that_change_the_cluster_support_ShouldProcess(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        var spec = CmdletSpec.All[name];
        Assert.True(ApprovedVerbs.StateChanging.Contains(cmdlet.Verb) || ApprovedVerbs.ReadOnlyInThisModule.Contains(cmdlet.Verb),
            $"{name}: decide whether verb {cmdlet.Verb} changes state (ApprovedVerbs.StateChanging) or not (ReadOnlyInThisModule)");
        if (ApprovedVerbs.StateChanging.Contains(cmdlet.Verb))
            Assert.True(cmdlet.SupportsShouldProcess, $"{name} changes the cluster but does not support ShouldProcess");
        Assert.Equal(spec.ShouldProcess, cmdlet.SupportsShouldProcess);
        Assert.Equal(spec.ConfirmImpact, cmdlet.ConfirmImpact);
    }

    [Fact]
    public void Remove_asks_for_confirmation_by_default()
    {
        var remove = ModuleMetadata.Get("Remove-DokkaaManifest");
        Assert.True(remove.SupportsShouldProcess);
        Assert.Equal("High", remove.ConfirmImpact);
    }

    /// <summary><c>Get-DokkaaHost | Suspend-DokkaaHost</c>: by value, and by the name of HostInfo's property for the host's name.</summary>
    [Theory]
    [InlineData("Suspend-DokkaaHost")]
    [InlineData("Resume-DokkaaHost")]
    public void Host_cmdlets_take_the_hosts_Get_DokkaaHost_outputs(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        var hostInfo = Assert.Single(ModuleMetadata.Get("Get-DokkaaHost").OutputTypes);
        Assert.Equal(hostInfo.FullName, cmdlet.Parameters.Single(p => p.Name == "InputObject").Type.FullName);

        var hostName = cmdlet.Parameters.Single(p => p.Name == "HostName");
        Assert.All(hostName.Sets, s => Assert.True(s.ByPropertyName));
        var properties = hostInfo.GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("HostName", properties);
        Assert.Equal(["Name"], hostName.Aliases);
        Assert.Contains("Name", properties);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void OutputType_is_declared(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        Assert.NotEmpty(cmdlet.OutputTypes);
        Assert.Equal(CmdletSpec.All[name].Outputs.Order(StringComparer.Ordinal), cmdlet.OutputTypes.Select(t => t.FullName!).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Parameters_and_their_pipeline_bindings_are_as_specified(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        var spec = CmdletSpec.All[name];
        var actual = cmdlet.Parameters.ToDictionary(p => p.Name, p => p.Binding);
        Assert.Equal(spec.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(spec.DefaultSet, cmdlet.DefaultParameterSet);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Sets_named_Name_bind_by_property_name_and_sets_named_InputObject_by_value(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        foreach (var parameter in cmdlet.Parameters)
        {
            foreach (var binding in parameter.Sets)
            {
                if (binding.Set == "InputObject" && parameter.Name == "InputObject")
                    Assert.True(binding.ByValue && binding.Mandatory, $"{name} -InputObject must be mandatory and ValueFromPipeline");
                if (binding.Set == "Name" && parameter.Name is "App" or "Name")
                    Assert.True(binding.ByPropertyName, $"{name} -{parameter.Name} in set Name must be ValueFromPipelineByPropertyName");
            }
        }

        // A default set must exist whenever there is more than one.
        if (cmdlet.ParameterSets.Count > 1)
            Assert.Contains(cmdlet.DefaultParameterSet, cmdlet.ParameterSets);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void App_Name_Host_and_Service_parameters_complete_from_the_cluster(string name)
    {
        var cmdlet = ModuleMetadata.Get(name);
        if (name == "Get-DokkaaHost")
        {
            Assert.Equal("HostCompleter", cmdlet.Parameters.Single(p => p.Name == "Name").Completer);
            return;
        }

        // New-DokkaaManifest -Service is the manifest's own service table, not a name in the cluster.
        if (name == "New-DokkaaManifest")
        {
            Assert.All(cmdlet.Parameters, p => Assert.Null(p.Completer));
            return;
        }

        foreach (var parameter in cmdlet.Parameters.Where(p => CmdletSpec.Completers.ContainsKey(p.Name)))
            Assert.Equal(CmdletSpec.Completers[parameter.Name], parameter.Completer);
    }

    [Fact]
    public void Completers_implement_IArgumentCompleter()
    {
        var completers = ModuleMetadata.Cmdlets.SelectMany(c => c.Parameters).Select(p => p.Completer).OfType<string>().Distinct().ToList();
        Assert.NotEmpty(completers);
        foreach (var name in completers)
        {
            var type = ModuleMetadata.Module.GetType("Dokkaa.PowerShell.Commands." + name, throwOnError: true)!;
            Assert.Contains(type.GetInterfaces(), i => i.FullName == "System.Management.Automation.IArgumentCompleter");
            Assert.NotNull(type.GetConstructor(Type.EmptyTypes));
        }
    }

    [Fact]
    public void Wildcard_parameters_are_the_filters_of_the_Get_cmdlets_and_paths()
    {
        var wildcards = ModuleMetadata.Cmdlets
            .SelectMany(c => c.Parameters.Where(p => p.Wildcards).Select(p => $"{c.Name} -{p.Name}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(new[]
        {
            "Get-DokkaaContainer -App", "Get-DokkaaContainer -HostName", "Get-DokkaaContainer -Name",
            "Get-DokkaaHost -Name",
            "Get-DokkaaManifest -App", "Get-DokkaaManifest -Name",
            "Get-DokkaaStatus -App", "Get-DokkaaStatus -Name",
            "Set-DokkaaManifest -Path", "Test-DokkaaManifest -Path",
        }, wildcards);
    }

    [Fact]
    public void Cluster_cmdlets_take_Cluster_and_the_session_cmdlets_do_not()
    {
        foreach (var cmdlet in ModuleMetadata.Cmdlets)
        {
            var session = cmdlet.Noun == "DokkaaCluster" || cmdlet.Name is "New-DokkaaManifest" or "Test-DokkaaManifest";
            Assert.Equal(!session, cmdlet.Parameters.Any(p => p.Name == "Cluster" && p.Type.FullName == "Dokkaa.PowerShell.DokkaaCluster"));
        }
    }

    [Fact]
    public void Cmdlets_release_their_cancellation_source()
    {
        foreach (var cmdlet in ModuleMetadata.Cmdlets)
            Assert.Contains(cmdlet.Type.GetInterfaces(), i => i.FullName == "System.IDisposable");
    }

    [Fact]
    public void Error_categories_are_real_ErrorCategory_members()
    {
        var category = ModuleMetadata.Context.LoadFromAssemblyPath(ModuleMetadata.SmaPath).GetType("System.Management.Automation.ErrorCategory", throwOnError: true)!;
        var names = category.GetFields().Where(f => f.IsLiteral).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, categoryName) in ErrorIds.All)
            Assert.True(names.Contains(categoryName), $"{id}: {categoryName} is not an ErrorCategory");
    }
}
