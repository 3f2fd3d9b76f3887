using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Vigil.Tests.Support;

namespace Vigil.BrowserTests;

/// <summary>
/// Waiting for a page the way the browser sees it. Playwright .NET's <c>WaitForURLAsync</c> and
/// <c>WaitForLoadStateAsync</c> check "has <c>load</c> fired?" and then subscribe to the event in
/// two steps, on another thread than the one that delivers events
/// (microsoft/playwright-dotnet#3364): a <c>load</c> delivered between the two is lost and the wait
/// runs into its timeout although the page is there. CI's slower machine hit that window after
/// sign-in. These helpers never wait for an event: they poll the address, then ask the document
/// itself whether it has loaded. BannedSymbols.Playwright.txt keeps the racy calls out.
/// </summary>
public static class Navigation
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private static TimeSpan Timeout => Patience.Of(TimeSpan.FromSeconds(15));

    /// <summary>Waits until the address satisfies <paramref name="url"/> and the document has loaded.</summary>
    public static async Task WaitForPageAsync(this IPage page, Func<string, bool> url)
    {
        var waited = Stopwatch.StartNew();
        while (!url(page.Url))
        {
            if (waited.Elapsed > Timeout)
            {
                throw new TimeoutException($"Waited {Timeout.TotalSeconds:0} s for another address; the page stayed at {page.Url}.");
            }
            await page.WaitForTimeoutAsync((float)Poll.TotalMilliseconds);
        }
        await page.WaitForLoadedAsync();
    }

    /// <summary>Waits for an address matching a regular expression (searched anywhere in the URL).</summary>
    public static Task WaitForPageAsync(this IPage page, Regex url) => page.WaitForPageAsync(url.IsMatch);

    /// <summary>
    /// Waits for an address matching a Playwright-style glob over the whole URL: <c>**</c> is any
    /// text, <c>*</c> any text without a slash, everything else literal (<c>?</c> included).
    /// </summary>
    public static Task WaitForPageAsync(this IPage page, string glob) => page.WaitForPageAsync(GlobToRegex(glob).IsMatch);

    /// <summary>Waits until the current document's <c>readyState</c> is <c>complete</c> (its <c>load</c> has fired).</summary>
    public static async Task WaitForLoadedAsync(this IPage page) =>
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'", null, new() { Timeout = (float)Timeout.TotalMilliseconds });

    public static Regex GlobToRegex(string glob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] != '*')
            {
                pattern.Append(Regex.Escape(glob[i].ToString()));
            }
            else if (i + 1 < glob.Length && glob[i + 1] == '*')
            {
                pattern.Append(".*");
                i++;
            }
            else
            {
                pattern.Append("[^/]*");
            }
        }
        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
