using System.Text.Json;
using Dokkaa.Core.Json;

namespace Dokkaa.Agent.Fencing;

/// <summary>
/// The fence's files in the agent's data directory (<c>fence/</c>): the agent's lease record, the lock the one fence
/// process of the data directory holds for its whole life, its log, and one marker per container it stopped (so that
/// the agent restarts those as planned instead of counting a crash).
/// </summary>
public sealed class FenceFiles
{
    private static readonly JsonSerializerOptions Json = JsonStyles.Records;

    public FenceFiles(string dataDir)
    {
        Directory = Path.Combine(dataDir, "fence");
    }

    public string Directory { get; }

    public string RecordPath => Path.Combine(Directory, "lease.json");

    public string LockPath => Path.Combine(Directory, "fence.lock");

    public string LogPath => Path.Combine(Directory, "fence.log");

    private string StoppedDir => Path.Combine(Directory, "stopped");

    /// <summary>Writes the record atomically (a reader sees the old one or the new one, never half of it).</summary>
    public void Write(FenceRecord record)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temp = RecordPath + $".{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(record, Json));
        File.Move(temp, RecordPath, overwrite: true);
    }

    /// <summary>The record, or null if there is none or it cannot be read.</summary>
    public FenceRecord? Read()
    {
        try
        {
            return JsonSerializer.Deserialize<FenceRecord>(File.ReadAllBytes(RecordPath), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Takes the data directory's fence lock (an exclusive flock), or null while another process holds it.</summary>
    public FileStream? TryLock()
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Whether a fence process holds the lock now.</summary>
    public bool IsLocked()
    {
        using var probe = TryLock();
        return probe is null;
    }

    public void MarkStopped(string containerId)
    {
        System.IO.Directory.CreateDirectory(StoppedDir);
        File.WriteAllBytes(Path.Combine(StoppedDir, containerId), Array.Empty<byte>());
    }

    /// <summary>Whether the fence process stopped this container.</summary>
    public bool IsStopped(string containerId) => File.Exists(Path.Combine(StoppedDir, containerId));

    /// <summary>Whether the fence process stopped this container (and forgets it).</summary>
    public bool TakeStopped(string containerId)
    {
        if (!IsStopped(containerId))
            return false;
        File.Delete(Path.Combine(StoppedDir, containerId));
        return true;
    }
}
