using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell;

/// <summary>
/// Turns whatever an operator pipes into <c>Set-DokkaaManifest</c> or <c>Test-DokkaaManifest</c> into a
/// validated <see cref="Manifest"/>: a manifest object, <see cref="ManifestInfo"/> or
/// <see cref="ManifestChange"/>, the property bag of a <c>PSCustomObject</c> (what <c>ConvertFrom-Json</c>
/// makes), a hashtable, JSON text, or a <see cref="FileInfo"/> of a .json file.
/// <para>
/// Objects are written out as JSON and parsed by <see cref="ManifestParser"/>, so every rule and every
/// error message (<c>$.services.nginx: port 70000 is out of range 1-65535</c>) is the one the CLI and
/// the agents use. Two things differ from JSON text, both because PowerShell property names are
/// case-insensitive: the known field names are matched without regard to case (<c>@{ Image = ... }</c>
/// is <c>image</c>), and a top-level <c>app</c>/<c>name</c> property is taken as the target, not as a
/// manifest field (also in JSON text and files, so <c>Get-Content -Raw</c> and <c>ConvertFrom-Json</c>
/// of one file mean the same).
/// </para>
/// <para>
/// No PowerShell type appears here: the cmdlets pass an <c>unwrap</c> function, which turns a
/// <c>PSObject</c> into its base object, or a <c>PSCustomObject</c> into a list of
/// <see cref="KeyValuePair{TKey,TValue}"/> of its properties; this class calls it on every value.
/// </para>
/// </summary>
public static class ManifestInput
{
    private const int MaxDepth = 32;

    private static readonly string[] ManifestFields = { "image", "scale", "services", "command", "links", "env", "http", "exclusive" };
    private static readonly string[] HttpFields = { "host", "port" };
    private static readonly string[] ServiceFields = { "port", "protocol", "role" };

    /// <exception cref="DokkaaException"><see cref="DokkaaErrorKind.ManifestInvalid"/>, naming the fields; the inner exception is a <see cref="ManifestValidationException"/> with every error.</exception>
    public static ManifestSource Convert(object? input, Func<object, object?>? unwrap = null)
    {
        var result = Test(input, unwrap);
        if (result.IsValid)
            return new ManifestSource(result.Manifest!, result.App, result.Name, result.Origin);
        var invalid = new ManifestValidationException(result.Errors);
        throw new DokkaaException(DokkaaErrorKind.ManifestInvalid, $"{Capitalize(result.Origin)}: {invalid.Message}{Hint(input, unwrap)}", invalid);
    }

    /// <summary>Validates without throwing (what <c>Test-DokkaaManifest</c> reports).</summary>
    public static ManifestTestResult Test(object? input, Func<object, object?>? unwrap = null)
    {
        unwrap ??= static o => o;
        var value = Unwrap(input, unwrap);
        switch (value)
        {
            case null:
                return Fail("no input", "no manifest was given");
            case Manifest manifest:
                return FromManifest("manifest object", manifest, null, null);
            case ManifestInfo info:
                return info.Manifest is { } stored
                    ? FromManifest($"manifest {info.App}/{info.Name}", stored, info.App, info.Name)
                    : new ManifestTestResult($"manifest {info.App}/{info.Name}", false, info.Errors, null, info.App, info.Name);
            case ManifestChange change:
                return FromManifest($"manifest {change.App}/{change.Name}", change.Manifest, change.App, change.Name);
            case FileInfo file:
                return FromFile(file);
            case string json:
                return FromJson("JSON text", json, null, null);
            case IDictionary or IEnumerable<KeyValuePair<string, object?>>:
                return FromObject(value is IDictionary ? "hashtable" : "object", value, unwrap);
            default:
                return Fail(TypeName(value), $"cannot read a manifest from a {TypeName(value)}; give a manifest object, the output of ConvertFrom-Json, a hashtable, JSON text or a .json file");
        }
    }

    /// <summary>
    /// The app and name a file name gives: <c>nginx.json</c> is name <c>nginx</c>, <c>dummy.nginx.json</c>
    /// is app <c>dummy</c>, name <c>nginx</c> (names are DNS labels, so they never contain a dot).
    /// </summary>
    public static (string? App, string? Name) NamesFromFileName(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var parts = stem.Split('.');
        return parts.Length switch
        {
            1 when stem.Length > 0 => (null, stem),
            2 when parts[0].Length > 0 && parts[1].Length > 0 => (parts[0], parts[1]),
            _ => (null, null),
        };
    }

    private static ManifestTestResult FromManifest(string origin, Manifest manifest, string? app, string? name)
    {
        try
        {
            ManifestParser.Validate(manifest);
            return new ManifestTestResult(origin, true, Array.Empty<ManifestError>(), manifest, app, name);
        }
        catch (ManifestValidationException e)
        {
            return new ManifestTestResult(origin, false, e.Errors, null, app, name);
        }
    }

    private static ManifestTestResult FromFile(FileInfo file)
    {
        var origin = $"file {file.FullName}";
        var (app, name) = NamesFromFileName(file.Name);
        string text;
        try
        {
            text = File.ReadAllText(file.FullName, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(origin, $"cannot read the file: {e.Message}", app, name);
        }

        return FromJson(origin, text, app, name);
    }

    private static ManifestTestResult FromJson(string origin, string json, string? app, string? name)
    {
        // Only when the text is a JSON object with app/name does it need rewriting; everything else goes
        // to the parser untouched, so its messages about broken JSON are exactly the CLI's.
        var manifestJson = json;
        try
        {
            using var document = JsonDocument.Parse(json.AsMemory().TrimStart('\uFEFF'));
            if (document.RootElement.ValueKind == JsonValueKind.Object && HasIdentity(document.RootElement))
            {
                var errors = new List<ManifestError>();
                manifestJson = WithoutIdentity(document.RootElement, ref app, ref name, errors);
                if (errors.Count > 0)
                    return new ManifestTestResult(origin, false, errors, null, app, name);
            }
        }
        catch (JsonException)
        {
            // The parser below says what is wrong, in its own words.
        }

        return ManifestParser.TryParse(manifestJson, out var manifest, out var parseErrors)
            ? new ManifestTestResult(origin, true, Array.Empty<ManifestError>(), manifest, app, name)
            : new ManifestTestResult(origin, false, parseErrors, null, app, name);
    }

    private static ManifestTestResult FromObject(string origin, object value, Func<object, object?> unwrap)
    {
        var errors = new List<ManifestError>();
        string? app = null, name = null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, item) in Entries(value, unwrap))
            {
                if (IsIdentity(key, "app"))
                {
                    app = IdentityValue(item, "$.app", unwrap, errors);
                    continue;
                }

                if (IsIdentity(key, "name"))
                {
                    name = IdentityValue(item, "$.name", unwrap, errors);
                    continue;
                }

                var field = Canonical(key, ManifestFields);
                var path = PathOf("$", field);
                writer.WritePropertyName(field);
                var shape = field switch
                {
                    "http" => Shape.Http,
                    "services" => Shape.Services,
                    _ => Shape.Free,
                };
                WriteValue(writer, item, path, shape, unwrap, errors, depth: 1);
            }

            writer.WriteEndObject();
        }

        if (errors.Count > 0)
            return new ManifestTestResult(origin, false, errors, null, app, name);
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return ManifestParser.TryParse(json, out var manifest, out var parseErrors)
            ? new ManifestTestResult(origin, true, Array.Empty<ManifestError>(), manifest, app, name)
            : new ManifestTestResult(origin, false, parseErrors, null, app, name);
    }

    /// <summary>Where in a manifest a value sits, which decides which field names are matched case-insensitively.</summary>
    private enum Shape
    {
        /// <summary>Keys are data (env names, anything unknown): kept as they are.</summary>
        Free,

        /// <summary>The <c>http</c> object: host, port.</summary>
        Http,

        /// <summary>The <c>services</c> object: keys are service names, values a port or a port object.</summary>
        Services,

        /// <summary>One service in object form: port, protocol, role.</summary>
        Service,
    }

    private static void WriteValue(Utf8JsonWriter writer, object? raw, string path, Shape shape, Func<object, object?> unwrap, List<ManifestError> errors, int depth)
    {
        if (depth > MaxDepth)
        {
            errors.Add(new ManifestError(path, $"nested more than {MaxDepth} levels deep"));
            writer.WriteNullValue();
            return;
        }

        var value = Unwrap(raw, unwrap);
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case char c:
                writer.WriteStringValue(c.ToString());
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int or long or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(System.Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case double or float:
                errors.Add(new ManifestError(path, $"{value} is not a finite number"));
                writer.WriteNullValue();
                break;
            case IDictionary or IEnumerable<KeyValuePair<string, object?>>:
                writer.WriteStartObject();
                foreach (var (key, item) in Entries(value, unwrap))
                {
                    var (name, childShape) = shape switch
                    {
                        Shape.Http => (Canonical(key, HttpFields), Shape.Free),
                        Shape.Services => (key, Shape.Service),
                        Shape.Service => (Canonical(key, ServiceFields), Shape.Free),
                        _ => (key, Shape.Free),
                    };
                    writer.WritePropertyName(name);
                    WriteValue(writer, item, PathOf(path, name), childShape, unwrap, errors, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in list)
                    WriteValue(writer, item, $"{path}[{index++}]", Shape.Free, unwrap, errors, depth + 1);
                writer.WriteEndArray();
                break;
            default:
                errors.Add(new ManifestError(path, $"a {TypeName(value)} cannot be part of a manifest; use text, numbers, true/false, lists and hashtables"));
                writer.WriteNullValue();
                break;
        }
    }

    private static IEnumerable<(string Key, object? Value)> Entries(object value, Func<object, object?> unwrap)
    {
        if (value is IDictionary dictionary)
        {
            // A hashtable's order is arbitrary; sort so that errors come out in a stable order.
            var entries = new List<(string, object?)>();
            foreach (DictionaryEntry entry in dictionary)
                entries.Add((System.Convert.ToString(Unwrap(entry.Key, unwrap), CultureInfo.InvariantCulture) ?? "", entry.Value));
            return value is System.Collections.Specialized.IOrderedDictionary ? entries : entries.OrderBy(e => e.Item1, StringComparer.Ordinal);
        }

        return ((IEnumerable<KeyValuePair<string, object?>>)value).Select(p => (p.Key, p.Value));
    }

    private static bool HasIdentity(JsonElement root) =>
        root.EnumerateObject().Any(p => IsIdentity(p.Name, "app") || IsIdentity(p.Name, "name"));

    private static string WithoutIdentity(JsonElement root, ref string? app, ref string? name, List<ManifestError> errors)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (IsIdentity(property.Name, "app"))
                    app = JsonIdentity(property.Value, "$.app", errors);
                else if (IsIdentity(property.Name, "name"))
                    name = JsonIdentity(property.Value, "$.name", errors);
                else
                    property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string? JsonIdentity(JsonElement value, string path, List<ManifestError> errors)
    {
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString();
        errors.Add(new ManifestError(path, $"must be a string, got {value.ValueKind.ToString().ToLowerInvariant()}"));
        return null;
    }

    private static string? IdentityValue(object? raw, string path, Func<object, object?> unwrap, List<ManifestError> errors)
    {
        if (Unwrap(raw, unwrap) is string s)
            return s;
        errors.Add(new ManifestError(path, "must be a string"));
        return null;
    }

    private static bool IsIdentity(string key, string identity) => string.Equals(key, identity, StringComparison.OrdinalIgnoreCase);

    private static string Canonical(string key, string[] known)
    {
        foreach (var field in known)
        {
            if (string.Equals(key, field, StringComparison.OrdinalIgnoreCase))
                return field;
        }

        return key;
    }

    private static object? Unwrap(object? value, Func<object, object?> unwrap) => value is null ? null : unwrap(value);

    private static string PathOf(string parent, string name)
    {
        var plain = name.Length is > 0 and <= 64 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
                    && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        return plain ? $"{parent}.{name}" : $"{parent}[{JsonSerializer.Serialize(name)}]";
    }

    private static ManifestTestResult Fail(string origin, string message, string? app = null, string? name = null) =>
        new(origin, false, new[] { new ManifestError("$", message) }, null, app, name);

    private static string TypeName(object value) => value.GetType().FullName ?? value.GetType().Name;

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>A hint for the two mistakes everybody makes once: piping Get-Content without -Raw, and a path given as text.</summary>
    private static string Hint(object? input, Func<object, object?>? unwrap)
    {
        if ((input is null ? null : (unwrap ?? (o => o))(input)) is not string text)
            return "";
        var trimmed = text.Trim();
        if (trimmed.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !trimmed.StartsWith('{'))
            return " (to read a file, use -Path or pipe Get-Item/Get-ChildItem)";
        if (!trimmed.StartsWith('{') || !trimmed.EndsWith('}'))
            return " (Get-Content sends one line at a time: use Get-Content -Raw, or pipe it through ConvertFrom-Json)";
        return "";
    }
}

/// <summary>The manifest New-DokkaaManifest builds from its parameters, through the same validation as everything else.</summary>
public static class ManifestParameters
{
    public static ManifestTestResult Build(
        string image,
        int scale,
        System.Collections.IDictionary? services = null,
        IReadOnlyList<string>? links = null,
        IReadOnlyList<string>? command = null,
        System.Collections.IDictionary? env = null,
        string? httpHost = null,
        int? httpPort = null,
        bool exclusive = false,
        Func<object, object?>? unwrap = null)
    {
        var fields = new List<KeyValuePair<string, object?>>
        {
            new("image", image),
            new("scale", scale),
        };
        if (services is not null)
            fields.Add(new("services", services));
        if (command is not null)
            fields.Add(new("command", command));
        if (links is not null)
            fields.Add(new("links", links));
        if (env is not null)
            fields.Add(new("env", env));
        if (httpHost is not null || httpPort is not null)
        {
            var http = new List<KeyValuePair<string, object?>>();
            if (httpHost is not null)
                http.Add(new("host", httpHost));
            if (httpPort is not null)
                http.Add(new("port", httpPort));
            fields.Add(new("http", http));
        }

        if (exclusive)
            fields.Add(new("exclusive", true));
        var result = ManifestInput.Test(fields, unwrap);
        return result with { Origin = "parameters" };
    }
}
