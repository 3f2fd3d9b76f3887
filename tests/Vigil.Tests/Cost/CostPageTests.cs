using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cost;

/// <summary>The <c>/cost</c> console page: the upload form imports (or names the errors), the tables show the month.</summary>
public sealed class CostPageTests
{
    private static async Task<HttpResponseMessage> UploadAsync(HttpClient browser, string fileName, string csv, string format, string month)
    {
        var fields = await TestServer.FormFieldsAsync(browser, "/cost");
        fields["_handler"] = "import-cost";
        fields["Form.Format"] = format;
        fields["Form.Month"] = month;
        fields["Form.Source"] = "";
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        var file = new StringContent(csv, Encoding.UTF8);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "File", fileName);
        return await browser.PostAsync("/cost", form);
    }

    [Fact]
    public async Task A_manager_uploads_seed_003s_bill_and_sees_it_per_provider_and_a_bad_file_is_refused_whole()
    {
        await using var server = await TestServer.StartAsync(null, CostImportTests.Config);
        await server.CreateUserAsync("fin", Role.Manager);
        var browser = await server.SignInAsync("fin", "a long enough password");

        var response = await UploadAsync(browser, "bill-003.csv", CostImportTests.Fixture("bill-003.csv"), "simple", "2026-11");

        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains("Imported 8 lines from bill-003.csv as simple: $161.00.", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-provider=\"Railway\"><td>Railway</td>", html, StringComparison.Ordinal);
        Assert.Contains("data-month=\"2026-11\"", html, StringComparison.Ordinal);

        var lines = CostImportTests.Fixture("focus-2026-10.csv").Split('\n');
        lines[6] = lines[6].Replace("-5.00,-5.00,", "-5.0O,-5.00,", StringComparison.Ordinal);
        var refused = await (await UploadAsync(browser, "oct.csv", string.Join('\n', lines), "auto", "")).Content.ReadAsStringAsync();
        Assert.Contains("oct.csv:7: BilledCost: &quot;-5.0O&quot; is not a number", refused, StringComparison.Ordinal);
        Assert.Single(await server.AuditAsync(), e => e.Action == "import" && e.Username == "fin");

        // A viewer sees the page without the form.
        await server.CreateUserAsync("watcher", Role.Viewer);
        var viewer = await server.SignInAsync("watcher", "a long enough password");
        var page = await viewer.GetStringAsync("/cost?month=2026-11");
        Assert.Contains("Railway", page, StringComparison.Ordinal);
        Assert.DoesNotContain("import-cost", page, StringComparison.Ordinal);
    }
}
