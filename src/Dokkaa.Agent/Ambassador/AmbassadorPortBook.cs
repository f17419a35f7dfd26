using System.Text.Json;

namespace Dokkaa.Agent.Ambassador;

/// <summary>
/// Which ambassador port serves which linked service on this host. Containers carry the port in their
/// environment for their whole life, so the mapping must survive agent restarts: it is kept in a small
/// JSON file in the data directory, and a link keeps its port for as long as a container on this host
/// uses it (<see cref="ForgetUnless"/>; the range would run out for good otherwise).
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

    /// <summary>The book's name of a link: <c>service.app</c>.</summary>
    public static string Key(string service, string app) => $"{service}.{app}";

    /// <summary>The port of <c>service.app</c>, allocating the next free one in the range (skipping <paramref name="unusable"/>) the first time.</summary>
    /// <exception cref="AmbassadorPortException">Every port of the range is booked or unusable.</exception>
    public int PortFor(string service, string app, Func<int, bool> unusable)
    {
        var key = Key(service, app);
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

            throw new AmbassadorPortException($"no free ambassador port left in {_first}-{_last} for link {key} ({_ports.Count} links booked on this host)");
        }
    }

    /// <summary>The port booked for a link (<see cref="Key"/>), or null.</summary>
    public int? Booked(string key)
    {
        lock (_gate)
            return _ports.TryGetValue(key, out var port) ? port : null;
    }

    /// <summary>Forgets every link for which <paramref name="keep"/> says no, with one write of the file; returns what it forgot.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ForgetUnless(Func<string, int, bool> keep)
    {
        lock (_gate)
        {
            var gone = _ports.Where(p => !keep(p.Key, p.Value)).ToList();
            foreach (var (key, _) in gone)
                _ports.Remove(key);
            if (gone.Count > 0)
                Save();
            return gone;
        }
    }

    /// <summary>Forgets a port that turned out to be unusable so that the next call picks another.</summary>
    public void Forget(string service, string app)
    {
        lock (_gate)
        {
            if (_ports.Remove(Key(service, app)))
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
