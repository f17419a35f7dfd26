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
/// the agents use. Three things differ from the CLI, all because PowerShell objects are property bags
/// with case-insensitive names: the field names of <see cref="ManifestSchema"/> are matched without
/// regard to case (<c>@{ Image = ... }</c> is <c>image</c>); a field whose value is <c>$null</c> is
/// absent (<c>ConvertTo-Json</c> writes every property of a manifest object, unset ones as null); and a
/// top-level <c>app</c>/<c>name</c> property is taken as the target, not as a manifest field. JSON text
/// and files are read the same way, so <c>Get-Content -Raw</c> of a file, <c>ConvertFrom-Json</c> of it,
/// and <c>ConvertTo-Json</c> of a manifest object all mean the same manifest.
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
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.AsMemory().TrimStart('\uFEFF'), new JsonDocumentOptions { MaxDepth = MaxDepth + 1 });
        }
        catch (JsonException)
        {
            // Not JSON: the parser says what is wrong, in the CLI's words.
            return Parse(origin, json, app, name);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return Parse(origin, json, app, name);
            var result = FromObject(origin, document.RootElement, static o => o);
            return result with { App = result.App ?? app, Name = result.Name ?? name };
        }
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

                var field = ManifestSchema.Match(key);
                if (field is not null && IsNull(item, unwrap))
                    continue;
                var fieldName = field?.Name ?? key;
                writer.WritePropertyName(fieldName);
                WriteValue(writer, item, PathOf("$", fieldName), new Place(field, Entries: false), unwrap, errors, depth: 1);
            }

            writer.WriteEndObject();
        }

        if (errors.Count > 0)
            return new ManifestTestResult(origin, false, errors, null, app, name);
        return Parse(origin, Encoding.UTF8.GetString(buffer.WrittenSpan), app, name);
    }

    /// <summary>The parser's verdict on manifest JSON: every rule and message is the CLI's and the agents'.</summary>
    private static ManifestTestResult Parse(string origin, string json, string? app, string? name) =>
        ManifestParser.TryParse(json, out var manifest, out var errors)
            ? new ManifestTestResult(origin, true, Array.Empty<ManifestError>(), manifest, app, name)
            : new ManifestTestResult(origin, false, errors, null, app, name);

    /// <summary>
    /// Where in a manifest a value sits, which decides which names are matched without regard to case: the
    /// members of <see cref="Field"/>'s object, or with <see cref="Entries"/> the members of each entry's object
    /// (one service); nowhere else (env names and anything unknown are data, kept as they are).
    /// </summary>
    private readonly record struct Place(ManifestField? Field, bool Entries)
    {
        public IReadOnlyList<string>? Names => Field is null ? null : Entries ? Field.EntryMembers : Field.Members;

        /// <summary>Where the values of this object sit.</summary>
        public Place Child => Field is { EntryMembers.Count: > 0 } && !Entries ? this with { Entries = true } : default;

        public bool IsResources => Field == ManifestSchema.Resources && !Entries;
    }

    private static void WriteValue(Utf8JsonWriter writer, object? raw, string path, Place place, Func<object, object?> unwrap, List<ManifestError> errors, int depth)
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
            case JsonElement { ValueKind: not (JsonValueKind.Object or JsonValueKind.Array) } element:
                element.WriteTo(writer);
                break;
            case IDictionary or IEnumerable<KeyValuePair<string, object?>> or JsonElement { ValueKind: JsonValueKind.Object }:
                writer.WriteStartObject();
                foreach (var (key, item) in Entries(value, unwrap))
                {
                    var known = place.Names;
                    var field = known is null ? null : ManifestSchema.Match(key, known);
                    if (field is not null && IsNull(item, unwrap))
                        continue;
                    var childValue = item;
                    if (place.IsResources && field is null && ResourceProperty(key, item, unwrap) is { } converted)
                    {
                        if (converted.Value is null)
                            continue;
                        (field, childValue) = converted;
                    }

                    var name = field ?? key;
                    writer.WritePropertyName(name);
                    WriteValue(writer, childValue, PathOf(path, name), place.Child, unwrap, errors, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case JsonElement array:
                writer.WriteStartArray();
                var position = 0;
                foreach (var item in array.EnumerateArray())
                    WriteValue(writer, item, $"{path}[{position++}]", default, unwrap, errors, depth + 1);
                writer.WriteEndArray();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in list)
                    WriteValue(writer, item, $"{path}[{index++}]", default, unwrap, errors, depth + 1);
                writer.WriteEndArray();
                break;
            default:
                errors.Add(new ManifestError(path, $"a {TypeName(value)} cannot be part of a manifest; use text, numbers, true/false, lists and hashtables"));
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>
    /// The properties of a <see cref="ResourceRequest"/> object (what <c>ConvertTo-Json</c> writes for
    /// <c>resources</c>) as the manifest's fields: <c>MilliCpus</c> is <c>cpus</c> in thousandths,
    /// <c>MemoryBytes</c> is <c>memory</c>. Zero means "not set" there, so it is left out.
    /// </summary>
    private static (string Field, object? Value)? ResourceProperty(string key, object? item, Func<object, object?> unwrap)
    {
        var number = Unwrap(item, unwrap) switch
        {
            JsonElement { ValueKind: JsonValueKind.Number } element when element.TryGetInt64(out var n) => n,
            int or long or short or byte => System.Convert.ToInt64(Unwrap(item, unwrap), CultureInfo.InvariantCulture),
            _ => (long?)null,
        };
        if (number is not { } value)
            return null;
        if (string.Equals(key, nameof(ResourceRequest.MilliCpus), StringComparison.OrdinalIgnoreCase))
            return ("cpus", value == 0 ? null : value / 1000m);
        if (string.Equals(key, nameof(ResourceRequest.MemoryBytes), StringComparison.OrdinalIgnoreCase))
            return ("memory", value == 0 ? null : value);
        return null;
    }

    private static bool IsNull(object? value, Func<object, object?> unwrap) =>
        Unwrap(value, unwrap) is null or JsonElement { ValueKind: JsonValueKind.Null };

    private static IEnumerable<(string Key, object? Value)> Entries(object value, Func<object, object?> unwrap)
    {
        if (value is JsonElement element)
            return element.EnumerateObject().Select(p => (p.Name, (object?)p.Value));
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

    private static string? IdentityValue(object? raw, string path, Func<object, object?> unwrap, List<ManifestError> errors)
    {
        var value = Unwrap(raw, unwrap);
        switch (value)
        {
            case string s:
                return s;
            case JsonElement { ValueKind: JsonValueKind.String } element:
                return element.GetString();
        }

        var got = value switch
        {
            null => "null",
            JsonElement element => element.ValueKind.ToString().ToLowerInvariant(),
            _ => TypeName(value),
        };
        errors.Add(new ManifestError(path, $"must be a string, got {got}"));
        return null;
    }

    private static bool IsIdentity(string key, string identity) => string.Equals(key, identity, StringComparison.OrdinalIgnoreCase);

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

/// <summary>
/// The manifest New-DokkaaManifest builds from its parameters, through the same validation as everything else:
/// each parameter sets the field (or the member of a field's object) that <see cref="ManifestField.Parameters"/>
/// says it offers.
/// </summary>
public static class ManifestParameters
{
    /// <param name="bound">The parameters given, by name (switches as bool); others are ignored.</param>
    public static ManifestTestResult Build(IReadOnlyDictionary<string, object?> bound, Func<object, object?>? unwrap = null)
    {
        ArgumentNullException.ThrowIfNull(bound);
        var fields = new List<KeyValuePair<string, object?>>();
        foreach (var field in ManifestSchema.Fields)
        {
            var members = new List<KeyValuePair<string, object?>>();
            foreach (var parameter in field.Parameters)
            {
                if (!bound.TryGetValue(parameter.Name, out var value))
                    continue;
                if (parameter.Member is null)
                    fields.Add(new(field.Name, value));
                else
                    members.Add(new(parameter.Member, value));
            }

            if (members.Count > 0)
                fields.Add(new(field.Name, members));
        }

        var result = ManifestInput.Test(fields, unwrap);
        return result with { Origin = "parameters" };
    }
}
