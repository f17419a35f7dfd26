using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Architecture;

/// <summary>
/// The namespaces inside each project form no cycle: a folder's code can be read (and moved) with only the
/// folders below it in mind. Fails naming the namespaces when a cycle comes back.
/// </summary>
public sealed class NamespaceCycleTests
{
    [Fact]
    public void No_namespace_cycle_in_src()
    {
        var cycles = NamespaceGraph.Read(Path.Combine(RepoPaths.Root, "src")).Cycles().Select(c => string.Join(" <-> ", c)).ToList();
        Assert.True(cycles.Count == 0, "namespace cycles: " + string.Join("; ", cycles));
    }

    [Fact]
    public void A_cycle_through_three_namespaces_is_found_and_a_chain_is_not()
    {
        var graph = new NamespaceGraph();
        graph.Add("A", "B");
        graph.Add("B", "C");
        graph.Add("C", "D");
        Assert.Empty(graph.Cycles());

        graph.Add("D", "B");
        Assert.Equal(["B", "C", "D"], Assert.Single(graph.Cycles()));
    }

    [Fact]
    public void The_status_calculator_cycle_would_be_found()
    {
        var graph = new NamespaceGraph();
        graph.Add("Dokkaa.Core.Placement", "Dokkaa.Core.Cluster");
        graph.Add("Dokkaa.Core.Discovery", "Dokkaa.Core.Cluster");
        graph.Add("Dokkaa.Core.Cluster", "Dokkaa.Core.Placement");

        Assert.Equal(["Dokkaa.Core.Cluster", "Dokkaa.Core.Placement"], Assert.Single(graph.Cycles()));
    }
}
