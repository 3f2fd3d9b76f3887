using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Cli;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Backups;

/// <summary>
/// <c>vigil backup create</c> against a server under write load, <c>vigil backup restore</c> into a
/// fresh directory, and a server started on it: everything acknowledged before the backup began is there.
/// </summary>
public abstract class SelfBackupTests : IAsyncLifetime
{
    private const string IntegrationToken = "prometheus-integration-token-0123456789";
    private readonly string work = Path.Combine(Path.GetTempPath(), $"vigil-backup-test-{Guid.NewGuid():N}");

    protected abstract Task<string?> DatabaseAsync();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(work);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(work, recursive: true);
        return Task.CompletedTask;
    }

    internal static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { BackupCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static ByteArrayContent Batch(int batch, long startMs)
    {
        var series = Enumerable.Range(0, 5).Select(s => new TimeSeries(
            Labels.Of("__name__", "backup_load", "batch", batch.ToString(CultureInfo.InvariantCulture), "series", s.ToString(CultureInfo.InvariantCulture)),
            [.. Enumerable.Range(0, 10).Select(i => new Sample(startMs + (i * 1000L), i))])).ToList();
        var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(series, [])));
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return content;
    }

    [Fact]
    public async Task A_backup_under_write_load_restores_every_acknowledged_sample_alert_incident_and_user()
    {
        await using var source = await TestServer.StartAsync(await DatabaseAsync(), "alerting:\n  evaluation_interval: 1m\n");
        await File.WriteAllTextAsync(Path.Combine(source.DataDirectory, "prometheus.token"), IntegrationToken + "\n");
        await source.WriteConfigAsync("alerting:\n  integrations:\n    - {name: prometheus, type: alertmanager, token_file: prometheus.token}\n");
        Assert.True((await source.Http.PostAsync("/-/reload", null)).IsSuccessStatusCode);
        await source.CreateUserAsync("alice", "operator", "alice's long password");
        var opened = await source.Http.PostAsJsonAsync("/api/incidents", new { title = "Checkout down", severity = "P1" });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var incident = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await source.Http.PostAsJsonAsync($"/api/incidents/{incident}/notes", new { text = "rolled back the deploy" })).StatusCode);

        var startMs = source.Clock.GetUtcNow().ToUnixTimeMilliseconds() - 60_000;
        var prometheus = source.WithToken(IntegrationToken);
        var samples = new List<int>();
        var alerts = new List<int>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var written = await source.Http.PostAsync("/prometheus/api/v1/write", Batch(i, startMs));
                if (written.StatusCode == HttpStatusCode.NoContent)
                {
                    lock (samples)
                    {
                        samples.Add(i);
                    }
                }
                using var alerted = await prometheus.PostAsJsonAsync("/api/v2/alerts", new[] { new { labels = new Dictionary<string, string> { ["alertname"] = $"Load{i}", ["severity"] = "warning" } } });
                if (alerted.StatusCode == HttpStatusCode.OK)
                {
                    lock (alerts)
                    {
                        alerts.Add(i);
                    }
                }
            }
        });
        var waited = TimeProvider.System.GetTimestamp();
        while (Count(alerts) < 10 && TimeProvider.System.GetElapsedTime(waited) < Patience.Of(TimeSpan.FromSeconds(10)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
        // Acknowledged before the backup began: these must all be in it. Later ones may be.
        int[] ackedSamples, ackedAlerts;
        lock (samples)
        {
            ackedSamples = [.. samples];
        }
        lock (alerts)
        {
            ackedAlerts = [.. alerts];
        }
        var backupDir = Path.Combine(work, "backup");
        var token = (await TestServer.CreateTokenAsync(source.Http, "backup", Vigil.Features.Access.Role.Admin)).Token;
        var created = await RunAsync("backup", "create", "--to", backupDir, "--server", source.BaseAddress.ToString(), "--token", token);
        var writesDuringBackup = Count(samples) - ackedSamples.Length;
        await stop.CancelAsync();
        await load;
        Assert.True(created.Exit == 0, created.Error);
        Assert.Contains(await source.AuditAsync(), e => e.Action == "create" && e.Resource == "backup" && e.Username == TestServer.AdminUsername);
        Assert.True(ackedAlerts.Length >= 10, $"only {ackedAlerts.Length} alerts were acknowledged before the backup");
        Assert.True(File.Exists(Path.Combine(backupDir, "manifest.json")));
        Assert.True(File.Exists(Path.Combine(backupDir, "config", "prometheus.token")), "the token file the configuration names is in the backup");

        var restoredDatabase = await DatabaseAsync();
        var data = Path.Combine(work, "restored");
        string[] restoreArgs = restoredDatabase is null ? ["backup", "restore", backupDir, "--data", data] : ["backup", "restore", backupDir, "--data", data, "--database", restoredDatabase];
        var restored = await RunAsync(restoreArgs);
        Assert.True(restored.Exit == 0, restored.Error);

        // Starting signs the test administrator in with its password (TestServer.StartOnAsync).
        await using var server = await TestServer.StartOnAsync(data, restoredDatabase);
        await server.SignInAsync("alice", "alice's long password");
        var answer = await server.Http.GetFromJsonAsync<JsonElement>(
            $"/prometheus/api/v1/query?query={Uri.EscapeDataString("count_over_time(backup_load[5m])")}&time={(startMs + 10_000) / 1000}");
        var counts = answer.GetProperty("data").GetProperty("result").EnumerateArray()
            .ToDictionary(r => (r.GetProperty("metric").GetProperty("batch").GetString()!, r.GetProperty("metric").GetProperty("series").GetString()!), r => r.GetProperty("value")[1].GetString());
        foreach (var batch in ackedSamples)
        {
            for (var s = 0; s < 5; s++)
            {
                Assert.True(counts.TryGetValue((batch.ToString(CultureInfo.InvariantCulture), s.ToString(CultureInfo.InvariantCulture)), out var count),
                    $"batch {batch} series {s} missing from the restored server ({ackedSamples.Length} acknowledged before the backup, {writesDuringBackup} during it)");
                Assert.Equal("10", count);
            }
        }
        var storedAlerts = (await server.StoredAlertsAsync()).Select(a => a.Labels.Get("alertname")).ToHashSet();
        Assert.All(ackedAlerts, i => Assert.Contains($"Load{i}", storedAlerts));
        var details = await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}");
        Assert.Equal("Checkout down", details.GetProperty("incident").GetProperty("title").GetString());
        Assert.Contains(details.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("text").GetString() == "rolled back the deploy");
    }

    private static int Count(List<int> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }
}

public sealed class SelfBackupOnSqlite : SelfBackupTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class SelfBackupOnPostgres(PostgresServer postgres) : SelfBackupTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
