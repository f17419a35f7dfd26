namespace Dokkaa.Agent.Hosting;

/// <summary>
/// Where the agent leaves the console token it generated: <c>DATA_DIR/console-token</c>, readable by the agent's
/// user only (0600). The log says where it is and never holds the token: logs are shipped and read far more
/// widely than the host's data directory, and the token lets anyone change every manifest in the cluster.
/// </summary>
internal static class ConsoleTokenFile
{
    public const string Name = "console-token";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string PathIn(string dataDir) => Path.Combine(dataDir, Name);

    /// <summary>
    /// Writes the token, replacing an earlier file. A fresh file is created 0600 and renamed over the old one, so
    /// the mode of an old file (perhaps made readable by hand) never carries over and no reader sees half a token.
    /// </summary>
    public static void Write(string dataDir, string token)
    {
        Directory.CreateDirectory(dataDir);
        var path = PathIn(dataDir);
        var temp = path + ".new";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly; // on Windows the data directory's ACL is all there is
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
            writer.WriteLine(token);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Removes a file an earlier run left: with a configured token, a generated one from before would only mislead.</summary>
    public static void Remove(string dataDir)
    {
        var path = PathIn(dataDir);
        if (File.Exists(path))
            File.Delete(path);
    }
}
