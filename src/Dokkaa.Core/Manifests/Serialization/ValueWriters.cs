namespace Dokkaa.Core.Manifests.Serialization;

/// <summary>
/// The canonical JSON of each kind of field value: maps sorted by key, link sets sorted, services always in
/// the object form. Ordinal sorting throughout, so the text does not depend on the machine's culture.
/// </summary>
internal static class ValueWriters
{
    public static void Services(JsonTextBuilder json, IReadOnlyDictionary<string, ServicePort> services)
    {
        json.StartObject();
        foreach (var (name, service) in services.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            json.Name(name);
            if (service is null)
            {
                json.Null();
                continue;
            }

            json.StartObject();
            json.Name("port");
            json.Number(service.Port);
            json.Name("protocol");
            json.String(service.Protocol);
            if (service.Role is not null)
            {
                json.Name("role");
                json.String(service.Role);
            }

            json.EndObject();
        }

        json.EndObject();
    }

    public static void StringMap(JsonTextBuilder json, IReadOnlyDictionary<string, string> map)
    {
        json.StartObject();
        foreach (var (name, value) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.Name(name);
            json.String(value);
        }

        json.EndObject();
    }

    public static void Strings(JsonTextBuilder json, IEnumerable<string> items)
    {
        json.StartArray();
        foreach (var item in items)
            json.String(item);
        json.EndArray();
    }

    public static void Http(JsonTextBuilder json, HttpRoute http)
    {
        json.StartObject();
        json.Name("host");
        json.String(http.Host);
        json.Name("port");
        json.Number(http.Port);
        json.EndObject();
    }

    public static void Resources(JsonTextBuilder json, ResourceRequest resources)
    {
        json.StartObject();
        if (resources.MilliCpus > 0)
        {
            json.Name("cpus");
            json.Number(resources.MilliCpus / 1000m);
        }

        if (resources.MemoryBytes > 0)
        {
            json.Name("memory");
            json.Number(resources.MemoryBytes);
        }

        json.EndObject();
    }
}
