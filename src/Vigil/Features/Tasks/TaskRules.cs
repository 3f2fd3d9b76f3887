using Vigil.Configuration;
using Vigil.Features.Access;

namespace Vigil.Features.Tasks;

/// <summary>The rules of a task definition, for <c>tasks:</c> in vigil.yaml and for <c>POST /api/tasks</c>.</summary>
public static class TaskRules
{
    public static IEnumerable<FieldError> ValidateConfig(VigilConfig config)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Tasks.Count; i++)
        {
            var task = config.Tasks[i];
            if (task.Name is not null && !seen.Add(task.Name))
            {
                yield return new FieldError($"tasks[{i}].name", $"duplicate task name \"{task.Name}\"");
            }
            foreach (var error in Validate(task, $"tasks[{i}]."))
            {
                yield return error;
            }
        }
    }

    public static List<FieldError> Validate(TaskDefinition d, string at)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 63 || !d.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            errors.Add(new FieldError($"{at}name", "required: 1 to 63 letters, digits, '-' or '_'"));
        }
        TaskSchedule.TryCompile(d, errors, at);
        var a = d.Assignee;
        if (a is null || new[] { a.User, a.Role, a.Schedule }.Count(v => !string.IsNullOrWhiteSpace(v)) != 1)
        {
            errors.Add(new FieldError($"{at}assignee", "give exactly one of user, role or schedule (whoever is on call on it at the due time)"));
        }
        else if (a.Role is { } role && !Role.IsKnown(role))
        {
            errors.Add(new FieldError($"{at}assignee.role", $"unknown role \"{role}\" (one of {string.Join(", ", Role.All)})"));
        }
        if (d.GraceTime < TimeSpan.Zero)
        {
            errors.Add(new FieldError($"{at}grace", "must not be negative"));
        }
        if (string.IsNullOrWhiteSpace(d.Severity))
        {
            errors.Add(new FieldError($"{at}severity", "required"));
        }
        foreach (var key in d.Labels.Keys.Where(k => k is "alertname" or "task" or "assignee" or "category"))
        {
            errors.Add(new FieldError($"{at}labels.{key}", "is set by Vigil for task alerts"));
        }
        return errors;
    }
}
