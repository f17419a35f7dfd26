using System.Text.Json;

namespace Dokkaa.Agent.Ambassador;

/// <summary>
/// Which ambassador port serves which linked service on this host. Containers carry the port in their
/// environment for their whole life, so the mapping must survive agent restarts: it is kept in a small
/// JSON file in the data directory and a service keeps its port forever.
/// </summary>
public sealed class AmbassadorPortBook
{
    private readonly string _path;
    private readonly int _first;
    private readonly int _last;
    private readonly Dictionary<string, int> _ports;
    private readonly object _gate = new();

    public AmbassadorPortBook(string dataDir, int first, int last)
    {
        if (first < 1 || last > 65535 || first > last)
            throw new ArgumentException($"ambassador port range {first}-{last} is not a valid range within 1-65535");
        _path = Path.Combine(dataDir, "ambassador-ports.json");
        _first = first;
        _last = last;
        _ports = Load(_path);
    }

    /// <summary>The port of <c>service.app</c>, allocating the next free one in the range (skipping <paramref name="unusable"/>) the first time.</summary>
    public int PortFor(string service, string app, Func<int, bool> unusable)
    {
        var key = $"{service}.{app}";
        lock (_gate)
        {
            if (_ports.TryGetValue(key, out var port))
                return port;

            var taken = _ports.Values.ToHashSet();
            for (var candidate = _first; candidate <= _last; candidate++)
            {
                if (taken.Contains(candidate) || unusable(candidate))
                    continue;
                _ports[key] = candidate;
                Save();
                return candidate;
            }

            throw new InvalidOperationException($"no free ambassador port left in {_first}-{_last} for link {key}");
        }
    }

    /// <summary>Forgets a port that turned out to be unusable so that the next call picks another.</summary>
    public void Forget(string service, string app)
    {
        lock (_gate)
        {
            if (_ports.Remove($"{service}.{app}"))
                Save();
        }
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(_ports));
        File.Move(temp, _path, overwrite: true);
    }

    private static Dictionary<string, int> Load(string path)
    {
        try
        {
            return File.Exists(path)
                ? JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(path)) ?? new Dictionary<string, int>()
                : new Dictionary<string, int>();
        }
        catch (JsonException)
        {
            // A damaged file only costs the stable ports; never a reason not to start.
            return new Dictionary<string, int>();
        }
    }
}
