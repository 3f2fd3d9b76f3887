using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Features.Alerting.Routing;
using Vigil.Hosting;

namespace Vigil.Features.Alerting;

/// <summary>The <c>state</c> and <c>matcher</c> query parameters of the alert and silence lists, read the same way.</summary>
public static class ListFilters
{
    /// <summary>Parses both, or returns the problem naming the parameter that is wrong.</summary>
    /// <param name="expected">The allowed states, for the message (e.g. "active, suppressed or resolved").</param>
    public static ValidationProblem? TryParse<TState>(string? state, string[]? matcher, string expected, out TState? wanted, out List<Matcher> filters)
        where TState : struct, Enum
    {
        wanted = null;
        filters = [];
        if (state is not null)
        {
            if (!Enum.TryParse<TState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
            {
                return Problems.Field("state", $"expected {expected}");
            }
            wanted = parsed;
        }
        foreach (var text in matcher ?? [])
        {
            if (!Matcher.TryParse(text, out var m, out var reason))
            {
                return Problems.Field("matcher", reason);
            }
            filters.Add(m!);
        }
        return null;
    }
}
