using System.Text.Json;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>Reads a TCP/UDP port number, 1-65535, for services and for <c>http.port</c>.</summary>
internal static class PortReader
{
    public const int Min = 1;
    public const int Max = 65535;

    public static int? Read(JsonElement value, string path, ErrorList errors)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            JsonValues.WrongType(value, path, $"a port number {Min}-{Max}", errors);
            return null;
        }

        switch (JsonValues.ClassifyInteger(value, out var port))
        {
            case IntegerKind.NotInteger:
                errors.Add(path, $"port must be an integer, got {value.GetRawText()}");
                return null;
            case IntegerKind.Fits when port is >= Min and <= Max:
                return (int)port;
            default:
                errors.Add(path, $"port {value.GetRawText()} is out of range {Min}-{Max}");
                return null;
        }
    }
}
