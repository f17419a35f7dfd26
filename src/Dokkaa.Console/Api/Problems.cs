using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Dokkaa.WebConsole.Live;
using Microsoft.AspNetCore.Http;

namespace Dokkaa.WebConsole.Api;

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

    private static IResult Write(int status, string title, DokkaaException e, IReadOnlyList<FieldError>? errors = null) =>
        Result(new Problem(TypeOf(e.ErrorId), title, status, e.Message, e.ErrorId, errors));

    internal static string TypeOf(string errorId) => "urn:dokkaa:error:" + errorId;
}
