using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

/// <summary>
/// The README's quickstart, "clone to first alert", run as a person would: the example configuration
/// with MFA turned off for a local trial, <c>vigil serve</c> as its own process on a port other than
/// 8080, a heartbeat failed on purpose, and the notification and the incident that follow. A receiver
/// on loopback stands in for <c>vigil webhook-sink</c> (on a free port instead of 9095).
/// </summary>
public sealed class QuickstartTests : IAsyncLifetime
{
    private readonly string data = Path.Combine(Path.GetTempPath(), $"vigil-quickstart-{Guid.NewGuid():N}");
    private NotificationReceiver receiver = null!;
    private ChildProcessServer server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(data);
        receiver = await NotificationReceiver.StartAsync();
        var yaml = await File.ReadAllTextAsync(RepositoryPaths.ExampleConfig);
        // The README's step "for a local trial, turn off the MFA requirement".
        Assert.Contains("mfa_required_roles: [super_admin, admin]", yaml);
        yaml = yaml.Replace("mfa_required_roles: [super_admin, admin]", "mfa_required_roles: []", StringComparison.Ordinal);
        yaml = yaml.Replace("url: http://127.0.0.1:9095/alerts", $"url: {receiver.Url}/alerts", StringComparison.Ordinal);
        var config = Path.Combine(data, "vigil.yaml");
        await File.WriteAllTextAsync(config, yaml);
        server = new ChildProcessServer(Path.Combine(data, "data"), config);
        await server.StartAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> find, string what, ChildProcessServer server) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (await find() is { } found)
            {
                return found;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);
        }
        throw new TimeoutException($"{what} did not happen within 90 s:\n{server.Log}");
    }

    [Fact]
    public async Task Failing_the_example_heartbeat_on_purpose_brings_the_first_notification_with_absolute_links_and_an_incident()
    {
        var baseUrl = $"http://127.0.0.1:{server.Port}";
        // Every self-check follows the port Vigil listens on.
        var monitors = await server.Http.GetFromJsonAsync<JsonElement[]>("/api/monitors") ?? [];
        var self = monitors.Single(m => m.GetProperty("name").GetString() == "vigil-self");
        Assert.Equal($"{baseUrl}/health", self.GetProperty("definition").GetProperty("url").GetString());

        using var anonymous = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync("/ping/example-backup-token-change-me/fail", new StringContent("backup failed on purpose"))).StatusCode);

        var notification = await EventuallyAsync(
            () => Task.FromResult(receiver.Requests.FirstOrDefault(r => r.Text.Contains("\"HeartbeatMissed\"", StringComparison.Ordinal))),
            "the first notification", server);
        using var payload = JsonDocument.Parse(notification.Text);
        var root = payload.RootElement;
        Assert.Equal("firing", root.GetProperty("status").GetString());
        Assert.Equal(baseUrl, root.GetProperty("externalURL").GetString());
        var alert = Assert.Single(root.GetProperty("alerts").EnumerateArray());
        Assert.Equal("nightly-backup", alert.GetProperty("labels").GetProperty("monitor").GetString());
        Assert.Equal($"{baseUrl}/monitors/nightly-backup", alert.GetProperty("generatorURL").GetString());

        var incident = await EventuallyAsync(
            async () => (await server.Http.GetFromJsonAsync<JsonElement[]>("/api/incidents?status=open") ?? [])
                .Select(i => (JsonElement?)i).FirstOrDefault(i => i!.Value.GetProperty("title").GetString() == "Heartbeat nightly-backup missed") is { } found ? (object)found : null,
            "the incident", server);
        Assert.Equal("P1", ((JsonElement)incident).GetProperty("severity").GetString());
    }
}
