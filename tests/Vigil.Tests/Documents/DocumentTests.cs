using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Configuration;
using Vigil.Features.Documents;
using Vigil.Tests.Alerting;
using Vigil.Tests.Backups;
using Vigil.Tests.Support;

namespace Vigil.Tests.Documents;

/// <summary>Issue 22 item 4: expiring documents remind through routing at 90/30/7 days, rising in severity, and "expired" after.</summary>
public sealed class DocumentReminderTests
{
    private static readonly DateTimeOffset Expiry = new(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ExpiringDoc Soc2 = new("soc2-report", "certificate", "compliance", null, Expiry, [.. DocumentRules.DefaultReminders], "config");

    [Theory]
    [InlineData(120, null, null)]
    [InlineData(91, null, null)]
    [InlineData(90, "90d", "info")]
    [InlineData(31, "90d", "info")]
    [InlineData(30, "30d", "warning")]
    [InlineData(8, "30d", "warning")]
    [InlineData(7, "7d", "critical")]
    [InlineData(1, "7d", "critical")]
    [InlineData(0, "expired", "critical")]
    [InlineData(-30, "expired", "critical")]
    public void The_reminder_due_is_the_shortest_threshold_reached_and_severity_rises_as_expiry_nears(int daysBefore, string? reminder, string? severity)
    {
        var due = DocumentReminders.Due(Soc2, Expiry.AddDays(-daysBefore));

        Assert.Equal((reminder, severity), (due is null ? null : due.Threshold ?? "expired", due?.Severity));
        Assert.Equal(daysBefore <= 0 ? "DocumentExpired" : due is null ? null : "DocumentExpiring", due?.Alert);
    }

    [Fact]
    public void A_document_with_bad_values_is_reported_at_its_line()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            documents:
              - name: soc2-report
                kind: passport
                service: payments
                expires_at: next spring
                reminders: [30d, 30d]
            """, new Hashtable());

        Assert.Equal(
        [
            "vigil.yaml:3:11: unknown kind \"passport\": use one of certificate, contract, domain, other",
            "vigil.yaml:4:14: unknown service \"payments\" (define it under services:)",
            "vigil.yaml:5:17: \"next spring\" is not a date (2027-03-01) or an ISO 8601 time",
            "vigil.yaml:6:16: a reminder is listed twice",
        ], loaded.Errors.Select(e => e.ToString()));
    }
}

public sealed class DocumentApiTests
{
    [Fact]
    public async Task Documents_are_managed_by_api_config_ones_are_read_only_and_a_reminder_fires_and_resolves_when_the_expiry_moves()
    {
        await using var server = await TestServer.StartAsync(configYaml: """
            services: [{name: payments}]
            documents:
              - {name: example-com, kind: domain, owner: it, expires_at: "2099-01-01"}
            """);
        var now = server.Clock.GetUtcNow();
        var manager = await server.ClientFor(Vigil.Features.Access.Role.Manager);
        var created = await manager.PostAsJsonAsync("/api/documents", new { name = "pci-dss", kind = "certificate", owner = "security", service = "payments", expires_at = now.AddDays(100).ToString("O") });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        async Task AssertProblemAsync(HttpResponseMessage response, string field)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        }
        await AssertProblemAsync(await manager.PostAsJsonAsync("/api/documents", new { name = "x", expires_at = "soon" }), "expires_at");
        await AssertProblemAsync(await manager.PostAsJsonAsync("/api/documents", new { name = "pci-dss", expires_at = "2030-01-01" }), "name");
        await AssertProblemAsync(await manager.PutAsJsonAsync("/api/documents/example-com", new { expires_at = "2030-01-01" }), "name");
        await AssertProblemAsync(await manager.PostAsJsonAsync("/api/documents", new { name = "y", kind = "passport", expires_at = "2030-01-01" }), "kind");
        var viewer = await server.ClientFor(Vigil.Features.Access.Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/documents", new { name = "z", expires_at = "2030-01-01" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.PutAsJsonAsync("/api/documents/nope", new { expires_at = "2030-01-01" })).StatusCode);

        var list = await viewer.GetFromJsonAsync<JsonElement>("/api/documents");
        Assert.Equal(["pci-dss api 90d,30d,7d", "example-com config 90d,30d,7d"],
            list.EnumerateArray().Select(d => $"{d.GetProperty("name").GetString()} {(d.GetProperty("read_only").GetBoolean() ? "config" : "api")} {string.Join(',', d.GetProperty("reminders").EnumerateArray().Select(r => r.GetString()))}"));

        // 89 days before expiry: the 90-day reminder, as info.
        server.Clock.Advance(TimeSpan.FromDays(11));
        var early = await BackupAlertTests.WaitForAsync(server, a => a.Labels.Get("alertname") == "DocumentExpiring", "the 90-day reminder");
        Assert.Equal(("pci-dss", "90d", "info", "payments", "security"), (early.Labels.Get("document"), early.Labels.Get("reminder"), early.Labels.Get("severity"), early.Labels.Get("service"), early.Labels.Get("owner")));

        // 5 days before: the 7-day reminder, critical; the 90-day one is resolved.
        server.Clock.Advance(TimeSpan.FromDays(84));
        var late = await BackupAlertTests.WaitForAsync(server, a => a.Labels.Get("reminder") == "7d", "the 7-day reminder");
        Assert.Equal("critical", late.Labels.Get("severity"));
        await BackupAlertTests.WaitResolvedAsync(server, early.Labels);

        // Renewed: the expiry moves a year on and the reminder resolves.
        var renewed = await manager.PutAsJsonAsync("/api/documents/pci-dss", new { kind = "certificate", owner = "security", service = "payments", expires_at = now.AddDays(465).ToString("O") });
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        server.Clock.Advance(CheckDocuments.Period);
        await BackupAlertTests.WaitResolvedAsync(server, late.Labels);
        Assert.Contains(await server.AuditAsync(), e => e.Action == "update" && e.Resource == "document" && e.ResourceId == "pci-dss");

        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync("/api/documents/pci-dss")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/documents/pci-dss")).StatusCode);
    }
}
