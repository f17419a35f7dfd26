using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dokkaa.Core.Cluster;

/// <summary>Generated metadata of the records under /dokkaa/, in <see cref="ClusterJson"/>'s style.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InstanceRecord))]
[JsonSerializable(typeof(HostRecord))]
[JsonSerializable(typeof(StatusRecord))]
[JsonSerializable(typeof(RolloutRecord))]
[JsonSerializable(typeof(EvictRecord))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
