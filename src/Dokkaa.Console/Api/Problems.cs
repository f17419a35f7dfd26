using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Microsoft.AspNetCore.Http;

namespace Dokkaa.WebConsole.Api;

/// <summary>One thing wrong with a request, and where: a JSON path in the manifest (<c>$.services.nginx</c>) or a route value (<c>app</c>).</summary>
public sealed record FieldError(string Path, string Message);

/// <summary>An RFC 9457 problem document; <see cref="ErrorId"/> is the same identifier the cmdlets use.</summary>
public sealed record Problem(string Type, string Title, int Status, string Detail, string ErrorId, IReadOnlyList<FieldError>? Errors = null);

/// <summary>Turns failures into <c>application/problem+json</c> answers.</summary>
internal static class Problems
{
    public static IResult Of(DokkaaException e) => e.Kind switch
    {
        DokkaaErrorKind.ManifestInvalid when e.InnerException is ManifestValidationException invalid =>
            Write(StatusCodes.Status400BadRequest, "The manifest is invalid", e, invalid.Errors.Select(x => new FieldError(x.Path, x.Message)).ToList()),
        // The request was fine; the manifest stored in etcd is broken (scale needs a valid one to change).
        DokkaaErrorKind.ManifestInvalid => Write(StatusCodes.Status409Conflict, "The stored manifest is invalid", e),
        DokkaaErrorKind.NameInvalid when e.InnerException is InvalidResourceNameException name =>
            Write(StatusCodes.Status400BadRequest, "Invalid app or manifest name", e, new[] { new FieldError(name.Kind, name.Reason) }),
        DokkaaErrorKind.NameInvalid => Write(StatusCodes.Status400BadRequest, "Invalid app or manifest name", e),
        DokkaaErrorKind.ManifestNotFound => Write(StatusCodes.Status404NotFound, "No such manifest", e),
        DokkaaErrorKind.HostNotFound => Write(StatusCodes.Status404NotFound, "No such host", e),
        DokkaaErrorKind.Conflict => Write(StatusCodes.Status409Conflict, "Changed meanwhile", e),
        DokkaaErrorKind.ClusterUnreachable => Write(StatusCodes.Status503ServiceUnavailable, "etcd is unreachable", e),
        DokkaaErrorKind.Timeout => Write(StatusCodes.Status504GatewayTimeout, "Timed out", e),
        _ => Write(StatusCodes.Status500InternalServerError, "Failed", e),
    };

    /// <summary>A request body that is wrong before Core sees it (PATCH fields, a missing body).</summary>
    public static IResult BadRequest(string title, string detail, string errorId, params FieldError[] errors) =>
        Result(new Problem(TypeOf(errorId), title, StatusCodes.Status400BadRequest, detail, errorId, errors.Length == 0 ? null : errors));

    public static IResult Result(Problem problem) =>
        Results.Json(problem, ApiJson.Options, ApiJson.ProblemContentType, problem.Status);

    public static Problem Unauthorized(AccessDecision decision) => decision switch
    {
        AccessDecision.TokenWrong => new Problem(TypeOf("DokkaaUnauthorized"), "Wrong token", StatusCodes.Status401Unauthorized,
            "The bearer token is not this console's token; nothing was changed.", "DokkaaUnauthorized"),
        AccessDecision.HostRefused => new Problem(TypeOf("DokkaaHostRefused"), "Host not allowed", StatusCodes.Status400BadRequest,
            "This console listens on loopback only and answers only requests addressed to localhost or a loopback address.", "DokkaaHostRefused"),
        _ => new Problem(TypeOf("DokkaaUnauthorized"), "Token required", StatusCodes.Status401Unauthorized,
            "Changes, and reads from another machine or addressed to a name other than localhost, need 'Authorization: Bearer <token>'; the token was printed when the console started. Nothing was changed.", "DokkaaUnauthorized"),
    };

    private static IResult Write(int status, string title, DokkaaException e, IReadOnlyList<FieldError>? errors = null) =>
        Result(new Problem(TypeOf(e.ErrorId), title, status, e.Message, e.ErrorId, errors));

    private static string TypeOf(string errorId) => "urn:dokkaa:error:" + errorId;
}
