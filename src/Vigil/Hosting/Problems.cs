using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;

namespace Vigil.Hosting;

/// <summary>Problem answers (RFC 9457, <c>application/problem+json</c>) that name the field and the reason.</summary>
public static class Problems
{
    public static ValidationProblem Validation(IEnumerable<FieldError> errors)
    {
        var list = errors.ToList();
        return TypedResults.ValidationProblem(
            list.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Reason).ToArray()),
            detail: string.Join("; ", list.Select(e => $"{e.Path}: {e.Reason}")),
            title: "The request is invalid");
    }

    public static ValidationProblem Field(string path, string reason) => Validation([new FieldError(path, reason)]);

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: what);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    /// <summary>409 naming the field whose value the object's current state does not allow (a lifecycle step out of order).</summary>
    public static ProblemHttpResult StateConflict(string path, string reason) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Not allowed in the current state",
            detail: $"{path}: {reason}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [path] = [reason] } });

    /// <summary>403 naming the field whose value the caller may not ask for (e.g. a role wider than their own).</summary>
    public static ProblemHttpResult Forbidden(string path, string reason) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: $"{path}: {reason}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [path] = [reason] } });
}
