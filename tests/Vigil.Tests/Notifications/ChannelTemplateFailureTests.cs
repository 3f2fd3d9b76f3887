using System.Collections;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Features.Alerting;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Notifications;

/// <summary>
/// A channel whose own template fails on a message still delivers it (in the default layout),
/// says so in the attempt, raises NotificationChannelFailing and does not stall its later
/// messages; a template that fails on any notification is refused when the config is loaded.
/// </summary>
public abstract class ChannelTemplateFailureTests : IAsyncLifetime
{
    private TestServer server = null!;
    private NotificationReceiver receiver = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        // Renders for the api service (so it passes the config-time check) and fails for any other.
        server = await TestServer.StartAsync(await DatabaseAsync(), $$$"""
            channels:
              - name: ops-slack
                type: slack
                url: {{{receiver.Url}}}
                text: '{{ if eq $labels.service "api" }}API: {{ $labels.alertname }}{{ else }}{{ .CommonAnnotations.description }}{{ end }}'
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private NotificationGroup Group(string service) => new(
        "ops-slack", "{}", Labels.Of("alertname", "HighErrorRate", "service", service),
        [new NotifiedAlert(AlertStatus.Firing, Labels.Of("alertname", "HighErrorRate", "service", service), Labels.Of("summary", $"{service} errors"), server.Clock.GetUtcNow(), null, "")],
        "http://127.0.0.1");

    private async Task<bool> FailingAsync()
    {
        var channels = await server.Http.GetFromJsonAsync<JsonElement>("/api/channels");
        return channels.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "ops-slack").GetProperty("failing").GetBoolean();
    }

    [Fact]
    public async Task A_message_whose_template_fails_is_delivered_in_the_default_layout_and_raises_the_channel_alert_without_stalling_the_channel()
    {
        var broken = await DeliveryScenario.EnqueueAsync(server, "ops-slack", Group("checkout"), "broken-1");
        await DeliveryScenario.UntilAttemptsAsync(server, broken, 1);

        var sent = JsonDocument.Parse(Assert.Single(receiver.Requests).Text).RootElement.GetProperty("attachments")[0];
        Assert.Equal("[FIRING:1] HighErrorRate — checkout", sent.GetProperty("title").GetString());
        Assert.Equal(OutboxStatus.Delivered, (await DeliveryScenario.MessageAsync(server, broken)).Status);
        var attempt = Assert.Single(await DeliveryScenario.AttemptsAsync(server, broken));
        Assert.True(attempt.Succeeded);
        Assert.StartsWith(OutboxSender.RenderFailure + "template: text:1:", attempt.Error, StringComparison.Ordinal);
        Assert.Contains("CommonAnnotations", attempt.Error, StringComparison.Ordinal);
        await DeliveryScenario.UntilAsync(async () => (await server.QueryAsync(db => db.Set<StoredAlert>().AsNoTracking().ToListAsync()))
            .Any(a => a.LabelsJson.Contains(ChannelFailureAlerts.AlertName, StringComparison.Ordinal)));
        Assert.True(await FailingAsync());

        // The channel's next messages go out at once: a test notification and one the template renders.
        var test = await DeliveryScenario.TestAsync(server.Http, "ops-slack");
        var fine = await DeliveryScenario.EnqueueAsync(server, "ops-slack", Group("api"), "fine-1");
        await DeliveryScenario.UntilAttemptsAsync(server, test.Id, 1);
        await DeliveryScenario.UntilAttemptsAsync(server, fine, 1);
        Assert.Equal(OutboxStatus.Delivered, (await DeliveryScenario.MessageAsync(server, fine)).Status);
        Assert.Contains(receiver.Requests, r => JsonDocument.Parse(r.Text).RootElement.GetProperty("attachments")[0].GetProperty("text").GetString() == "API: HighErrorRate");
    }

    [Fact]
    public void A_template_that_fails_on_every_notification_is_refused_at_config_check_with_its_line()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            channels:
              - name: ops-slack
                type: slack
                url: http://127.0.0.1:9/hook
                text: '{{ .CommonAnnotations.description }}'
            """, new Hashtable());

        var error = Assert.Single(loaded.Errors).ToString();
        Assert.StartsWith("vigil.yaml:5:", error, StringComparison.Ordinal);
        Assert.Contains("template fails on a sample notification: template: text:1:3: executing \"text\" at <.CommonAnnotations", error, StringComparison.Ordinal);
    }
}

public sealed class ChannelTemplateFailureOnSqlite : ChannelTemplateFailureTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class ChannelTemplateFailureOnPostgres(PostgresServer postgres) : ChannelTemplateFailureTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
