namespace Dokkaa.Dev;

/// <summary>
/// Serializes the dev commands that rewrite the state file (restart, etcd start, down), so that two of them
/// run at once (e.g. restarting two hosts in parallel) cannot lose each other's pids: an flock on
/// <c>STATE.lock</c>, held for the whole command. The state is loaded after the lock is taken.
/// </summary>
public sealed class DevStateLock : IDisposable
{
    private readonly FileStream _file;

    private DevStateLock(FileStream file, string path)
    {
        _file = file;
        Path = path;
    }

    public string Path { get; }

    public static string LockPath(string statePath) => System.IO.Path.GetFullPath(statePath) + ".lock";

    public static async Task<DevStateLock> AcquireAsync(string statePath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var path = LockPath(statePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix.
                return new DevStateLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), path);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new DevException($"another dokkaa dev command holds {path} for longer than {timeout.TotalSeconds:0}s: {e.Message}");
            }
        }
    }

    /// <summary>Releases the lock; <paramref name="delete"/> also removes the lock file (down: nothing may stay).</summary>
    public void Release(bool delete)
    {
        if (delete)
            File.Delete(Path);
        _file.Dispose();
    }

    public void Dispose() => _file.Dispose();
}
