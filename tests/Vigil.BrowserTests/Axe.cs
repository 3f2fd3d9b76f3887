using System.Text.Json;
using Microsoft.Playwright;

namespace Vigil.BrowserTests;

/// <summary>
/// axe-core (npm, pinned in <c>axe/package.json</c>; scripts/test.sh runs <c>npm ci</c> there)
/// run inside the page. Its impacts are minor, moderate, serious and critical
/// (https://github.com/dequelabs/axe-core/blob/develop/doc/API.md#results-object).
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Script = new(Locate);

    /// <summary>The console's Content-Security-Policy allows only its own scripts; axe is added by a page context that bypasses it.</summary>
    public static BrowserNewContextOptions Context(BrowserNewContextOptions options)
    {
        options.BypassCSP = true;
        return options;
    }

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("VIGIL_AXE") is { Length: > 0 } configured)
        {
            return configured;
        }
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "Vigil.BrowserTests", "axe", "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("axe-core is not installed: run `npm ci --prefix tests/Vigil.BrowserTests/axe` (scripts/test.sh does), or set VIGIL_AXE to axe.min.js.");
    }

    public sealed record Violation(string Id, string Impact, string Help, IReadOnlyList<string> Targets);

    /// <summary>Runs axe on the page (WCAG 2.x A and AA rules and best practices) and returns the violations of impact serious or critical.</summary>
    public static async Task<List<Violation>> SeriousViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new() { Path = Script.Value });
        }
        var json = await page.EvaluateAsync<string>("""
            async () => {
                const results = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
                return JSON.stringify(results.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')) })));
            }
            """);
        return JsonSerializer.Deserialize<List<Violation>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public static string Describe(IEnumerable<Violation> violations) =>
        string.Join("\n", violations.Select(v => $"- {v.Id} ({v.Impact}): {v.Help}\n    {string.Join("\n    ", v.Targets.Take(8))}"));
}
