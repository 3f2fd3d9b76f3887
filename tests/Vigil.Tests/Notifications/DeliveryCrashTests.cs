using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Notifications;

/// <summary>
/// The outbox survives kill -9: a notification that was failing when the process died is delivered
/// after the restart on the same data directory, once per idempotency key.
/// </summary>
public sealed class DeliveryCrashTests : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"vigil-outbox-crash-{Guid.NewGuid():N}");
    private NotificationReceiver receiver = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        receiver = await NotificationReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await receiver.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    private async Task<string> ConfigAsync()
    {
        var path = Path.Combine(directory, "vigil.yaml");
        await File.WriteAllTextAsync(path, $"""
            notifications:
              initial_backoff: 1s
              max_backoff: 2s
            channels:
              - name: ops
                type: webhook
                url: {receiver.Url}/hook
                timeout: 5s
            """);
        return path;
    }

    private static async Task<JsonElement[]> NotificationsAsync(ChildProcessServer server) =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>("/api/notifications?channel=ops")).EnumerateArray()];

    [Fact]
    public async Task A_notification_failing_when_the_process_is_killed_is_delivered_once_after_the_restart()
    {
        var data = Path.Combine(directory, "data");
        var config = await ConfigAsync();
        receiver.Status = 500;
        string key;
        await using (var first = new ChildProcessServer(data, config))
        {
            await first.StartAsync();
            var response = await first.Http.PostAsync("/api/channels/ops/test", null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            key = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("idempotency_key").GetString()!;
            await first.WaitUntilAsync(async () => (await NotificationsAsync(first)).Single().GetProperty("attempts").GetInt32() >= 1, TimeSpan.FromSeconds(20));

            await first.SignalAsync("KILL");
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.All(receiver.Requests, r => Assert.Equal(500, r.Answered));
        Assert.True(receiver.Requests.Count >= 1);

        receiver.Status = 200;
        await using var second = new ChildProcessServer(data, config);
        await second.StartAsync();
        await second.WaitUntilAsync(async () => (await NotificationsAsync(second)).Single().GetProperty("status").GetString() == "delivered", TimeSpan.FromSeconds(30));

        Assert.Equal(new Dictionary<string, int> { [key] = 1 }, receiver.AcceptedKeys);
        Assert.All(receiver.Requests, r => Assert.Equal(key, r.Header("Idempotency-Key")));
        var message = (await NotificationsAsync(second)).Single();
        var attempts = message.GetProperty("attempt_log").EnumerateArray().ToList();
        Assert.Equal(200, attempts[^1].GetProperty("status_code").GetInt32());
        Assert.All(attempts[..^1], a => Assert.Equal(500, a.GetProperty("status_code").GetInt32()));
    }

    [Fact]
    public async Task A_notification_in_flight_when_the_process_is_killed_is_sent_again_with_the_same_key()
    {
        var data = Path.Combine(directory, "data");
        var config = await ConfigAsync();
        receiver.Behaviour = NotificationReceiver.Mode.Hang;
        string key;
        await using (var first = new ChildProcessServer(data, config))
        {
            await first.StartAsync();
            var response = await first.Http.PostAsync("/api/channels/ops/test", null);
            key = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("idempotency_key").GetString()!;
            await first.WaitUntilAsync(() => Task.FromResult(receiver.Requests.Count == 1), TimeSpan.FromSeconds(20));

            await first.SignalAsync("KILL");
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        receiver.Behaviour = NotificationReceiver.Mode.Answer;
        receiver.Release();
        await using var second = new ChildProcessServer(data, config);
        await second.StartAsync();
        await second.WaitUntilAsync(async () => (await NotificationsAsync(second)).Single().GetProperty("status").GetString() == "delivered", TimeSpan.FromSeconds(30));

        // At least once: the receiver saw it twice, under one key it can deduplicate on.
        Assert.Equal(2, receiver.Requests.Count);
        Assert.All(receiver.Requests, r => Assert.Equal(key, r.Header("Idempotency-Key")));
        Assert.Equal(new Dictionary<string, int> { [key] = 1 }, receiver.AcceptedKeys);
    }
}
