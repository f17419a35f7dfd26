namespace Dokkaa.Testing;

/// <summary>Finds the repository root (where Dokkaa.sln is) and the built executables.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the tests themselves were built in (Debug or Release), so the executables match.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string Cli => Path.Combine(Root, "src", "Dokkaa.Cli", "bin", Configuration, "net10.0", "dokkaa");

    public static string Agent => Path.Combine(Root, "src", "Dokkaa.Agent", "bin", Configuration, "net10.0", "dokkaa-agent");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dokkaa.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Dokkaa.sln not found above " + AppContext.BaseDirectory);
    }
}
