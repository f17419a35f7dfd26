using System.Text.Json;
using Dokkaa.WebConsole.Live;

namespace Dokkaa.WebConsole.Api;

/// <summary>A manifest as stored (<c>GET .../manifest</c>): the text as written, whether it validates, and why not.</summary>
public sealed record ManifestDocument(string App, string Name, long Revision, bool Valid, IReadOnlyList<FieldError> Errors, string Raw, JsonElement? Manifest);

/// <summary>The outcome of a PUT or PATCH: <see cref="Change"/> is created, updated or unchanged; <see cref="Revision"/> the etcd revision it is at.</summary>
public sealed record ManifestWritten(string App, string Name, string Change, long Revision, JsonElement Manifest);
