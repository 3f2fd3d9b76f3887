using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;

namespace Vigil.Web;

/// <summary>
/// The API's field errors for one console form, so each is shown beside its input (<see cref="FieldMessage"/>)
/// with the same path and reason the API answers with (<c>monitors[0].url: not an absolute URL</c>).
/// A console form calls the same use case as the endpoint and hands its errors here.
/// </summary>
public sealed class FormErrors
{
    private readonly List<FieldError> errors = [];

    public bool Any => errors.Count > 0;

    public IReadOnlyList<FieldError> All => errors;

    public void Clear() => errors.Clear();

    public void Set(IEnumerable<FieldError> found)
    {
        errors.Clear();
        errors.AddRange(found);
    }

    /// <summary>The errors of a problem answer: a validation problem's fields, or one error at <paramref name="fallbackPath"/> with its detail.</summary>
    public void Set(IResult answer, string fallbackPath = "")
    {
        errors.Clear();
        switch (answer)
        {
            case ValidationProblem invalid:
                errors.AddRange(invalid.ProblemDetails.Errors.SelectMany(e => e.Value.Select(reason => new FieldError(e.Key, reason))));
                break;
            case ProblemHttpResult { ProblemDetails: var problem }:
                if (problem.Extensions.TryGetValue("errors", out var named) && named is IDictionary<string, string[]> fields)
                {
                    errors.AddRange(fields.SelectMany(e => e.Value.Select(reason => new FieldError(e.Key, reason))));
                }
                else
                {
                    errors.Add(new FieldError(fallbackPath, problem.Detail ?? problem.Title ?? "refused"));
                }
                break;
        }
    }

    /// <summary>The reasons for <paramref name="field"/> and anything inside it (<c>layers</c> takes <c>layers[0].users</c>).</summary>
    public IEnumerable<FieldError> For(string field) => errors.Where(e => Covers(field, e.Path));

    /// <summary>The errors that none of the form's own inputs show, for a summary above the buttons.</summary>
    public IEnumerable<FieldError> Unplaced(params string[] fields) => errors.Where(e => !fields.Any(f => Covers(f, e.Path)));

    private static bool Covers(string field, string path) =>
        path == field || path.Length > field.Length && path.StartsWith(field, StringComparison.Ordinal) && path[field.Length] is '.' or '[';
}
