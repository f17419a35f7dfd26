using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Dokkaa.Core.EtcdAccess;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell.Commands;

/// <summary>Completes -App with the apps of the live cluster (nothing, quickly, when it does not answer).</summary>
public sealed class AppCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompleterSupport.Complete(fakeBoundParameters, ops => Completions.Apps(ops, wordToComplete), "app");
}

/// <summary>Completes -Name with the manifest names of the live cluster, of the app already typed if any.</summary>
public sealed class NameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompleterSupport.Complete(fakeBoundParameters, ops => Completions.Names(ops, CompleterSupport.Text(fakeBoundParameters, "App"), wordToComplete), "manifest");
}

/// <summary>Completes host names with the live hosts.</summary>
public sealed class HostCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompleterSupport.Complete(fakeBoundParameters, ops => Completions.Hosts(ops, wordToComplete), "host");
}

/// <summary>Completes -Service with the services the manifests provide.</summary>
public sealed class ServiceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompleterSupport.Complete(fakeBoundParameters, ops => Completions.Services(ops, CompleterSupport.Text(fakeBoundParameters, "App"), wordToComplete), "service");
}

internal static class CompleterSupport
{
    public static IEnumerable<CompletionResult> Complete(IDictionary? bound, Func<ClusterOperations, IReadOnlyList<string>> query, string kind)
    {
        DokkaaCluster cluster;
        try
        {
            cluster = ClusterResolver.Resolve(ClusterOf(bound), SessionConnections.Get(DokkaaCmdlet.Session), EtcdEnvironment.Read(EtcdEnvironment.Endpoints));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return Array.Empty<CompletionResult>();
        }

        return query(cluster.CompletionOperations)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, $"{kind} {n}"))
            .ToList();
    }

    public static string? Text(IDictionary? bound, string key) =>
        bound is not null && bound.Contains(key) && PSInput.Unwrap(bound[key]) is string text ? text : null;

    private static DokkaaCluster? ClusterOf(IDictionary? bound)
    {
        if (bound is null || !bound.Contains("Cluster"))
            return null;
        return PSInput.Unwrap(bound["Cluster"]) switch
        {
            DokkaaCluster cluster => cluster,
            string endpoints => DokkaaCluster.Parse(endpoints),
            _ => null,
        };
    }
}
