using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Tests.Support;

/// <summary>
/// A real Vigil server for one test: Kestrel on a free loopback port, its own data directory and
/// database (SQLite file, or a fresh database on the test run's PostgreSQL), a fake clock.
/// <see cref="Http"/> is a <c>super_admin</c>: at start the server gets a super_admin
/// (<see cref="AdminUsername"/>, as <c>vigil admin create</c> makes one), who signs in through the
/// console's sign-in form and creates an API token with <c>POST /api/tokens</c>: the real paths,
/// no bypass. <see cref="ClientFor"/> gives a client whose token carries another role.
/// </summary>
public sealed partial class TestServer : IAsyncDisposable
{
    public const string AdminUsername = "test-admin";
    public const string AdminPassword = "correct horse battery staple";

    private readonly WebApplication app;
    private readonly Dictionary<string, HttpClient> roleClients = [];
    private readonly List<HttpClient> clients = [];

    private ServeOptions options = null!;
    private Action<IServiceCollection>? configureServices;

    private TestServer(WebApplication app, string dataDirectory, FakeTimeProvider clock)
    {
        this.app = app;
        DataDirectory = dataDirectory;
        Clock = clock;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = NewClient();
        Anonymous = NewClient(new HttpClientHandler { AllowAutoRedirect = false });
    }

    public Uri BaseAddress { get; }
    /// <summary>Authenticated as a super_admin with an API token.</summary>
    public HttpClient Http { get; }
    /// <summary>No credentials at all; redirects (to the sign-in page) are not followed.</summary>
    public HttpClient Anonymous { get; }
    /// <summary>The id of <see cref="AdminUsername"/>.</summary>
    public int AdminId { get; private set; }
    /// <summary>The id of <see cref="Http"/>'s token.</summary>
    public int AdminTokenId { get; private set; }
    public string DataDirectory { get; }
    public FakeTimeProvider Clock { get; }
    public IServiceProvider Services => app.Services;

    public static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        VigilHost.ConfigureJson(json);
        json.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip;
        return json;
    }

    /// <param name="database">null for SQLite in the data directory, or a <c>postgres://</c> URL.</param>
    /// <param name="configYaml">The vigil.yaml to start with, if any.</param>
    /// <param name="configureServices">Adds test parts standing in for another area (e.g. an <c>IPageObserver</c> that records events); kept across restarts.</param>
    public static async Task<TestServer> StartAsync(string? database = null, string? configYaml = null, Action<IServiceCollection>? configureServices = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"vigil-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        string? configPath = null;
        if (configYaml is not null)
        {
            configPath = Path.Combine(dataDirectory, "vigil.yaml");
            await File.WriteAllTextAsync(configPath, configYaml);
        }
        return await StartOnAsync(dataDirectory, database, configPath, configureServices);
    }

    /// <summary>
    /// Starts a server on an existing data directory (one a restore made, say), with the config
    /// file <c>DIR/vigil.yaml</c> when there is one. The test administrator is created unless the
    /// directory's database already has it.
    /// </summary>
    public static async Task<TestServer> StartOnAsync(string dataDirectory, string? database, string? configPath = null, Action<IServiceCollection>? configureServices = null)
    {
        if (configPath is null && File.Exists(Path.Combine(dataDirectory, "vigil.yaml")))
        {
            configPath = Path.Combine(dataDirectory, "vigil.yaml");
        }
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var options = new ServeOptions
        {
            DataDirectory = dataDirectory,
            Urls = "http://127.0.0.1:0",
            Database = database,
            ConfigPath = configPath,
            // As `vigil serve` does: the metrics settings that apply at start come from the file.
            Metrics = configPath is null ? new() : global::Vigil.Configuration.ConfigLoader.Load(configPath).Config.Metrics,
            TimeProvider = clock,
        };
        var app = await VigilHost.StartAsync(options, configureServices);
        var server = new TestServer(app, dataDirectory, clock) { options = options, configureServices = configureServices };
        await server.AuthenticateAsync();
        return server;
    }

    /// <summary>
    /// Stops this server as a shutdown would and starts a new one on the same data directory,
    /// database and config file, with its clock <paramref name="downtime"/> later. This instance
    /// must not be used afterwards (dispose the returned one). <paramref name="whileStopped"/> runs
    /// between the stop and the start (what an operator or a failing disk does meanwhile).
    /// </summary>
    public Task<TestServer> RestartAsync(TimeSpan downtime, Action? whileStopped = null) =>
        RestartAsync(downtime, () =>
        {
            whileStopped?.Invoke();
            return Task.CompletedTask;
        });

    /// <summary>Stops the server, runs <paramref name="whileStopped"/> (e.g. a CLI command on its files), starts it again on the same data.</summary>
    public async Task<TestServer> RestartAsync(TimeSpan downtime, Func<Task> whileStopped)
    {
        clients.ForEach(c => c.Dispose());
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await whileStopped();
        var clock = new FakeTimeProvider(Clock.GetUtcNow() + downtime);
        var restarted = options with { TimeProvider = clock };
        var next = new TestServer(await VigilHost.StartAsync(restarted, configureServices), DataDirectory, clock) { options = restarted, configureServices = configureServices };
        await next.AuthenticateAsync();
        return next;
    }

    private HttpClient NewClient(HttpMessageHandler? handler = null)
    {
        var client = handler is null ? new HttpClient() : new HttpClient(handler);
        client.BaseAddress = BaseAddress;
        clients.Add(client);
        return client;
    }

    private async Task AuthenticateAsync()
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var error = await BootstrapAdministrator.CreateAsync(scope.ServiceProvider, AdminUsername, AdminPassword, mustChangePassword: false, CancellationToken.None);
            // After a restart the administrator is already there.
            Assert.True(error is null || error.EndsWith("already exists", StringComparison.Ordinal), error);
        }
        var session = await SignInAsync(AdminUsername, AdminPassword);
        var token = await CreateTokenAsync(session, "tests", Role.SuperAdmin);
        AdminTokenId = token.Id;
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        AdminId = (await QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.Username == AdminUsername))).Id;
    }

    /// <summary>A client signed in through the console's sign-in form (a cookie session), as a browser would be.</summary>
    public async Task<HttpClient> SignInAsync(string username, string password, string? code = null)
    {
        var client = NewBrowser();
        var response = await PostSignInFormAsync(client, username, password, code);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in as {username} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>A client that keeps cookies and does not follow redirects, like a browser before it signs in.</summary>
    public HttpClient NewBrowser() => NewClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

    /// <summary>Fills and posts the sign-in form (with its antiforgery token) and returns the answer unfollowed.</summary>
    public static async Task<HttpResponseMessage> PostSignInFormAsync(HttpClient client, string username, string password, string? code = null)
    {
        var fields = await FormFieldsAsync(client, "/signin");
        fields["Input.Username"] = username;
        fields["Input.Password"] = password;
        fields["Input.Code"] = code ?? "";
        return await client.PostAsync("/signin", new FormUrlEncodedContent(fields));
    }

    /// <summary>The hidden fields of a console page's forms (antiforgery token, form name).</summary>
    public static async Task<Dictionary<string, string>> FormFieldsAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        return HiddenInput().Matches(html).GroupBy(m => WebUtility.HtmlDecode(m.Groups["name"].Value))
            .ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups["value"].Value));
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)"\s*/?>""")]
    private static partial Regex HiddenInput();

    /// <summary>Fills a console form (its hidden fields plus <paramref name="fields"/>) on <paramref name="path"/> and posts it.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var form = await FormFieldsAsync(client, path);
        form["_handler"] = formName;
        foreach (var (key, value) in fields)
        {
            form[key] = value;
        }
        return await client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    /// <summary>Creates a user through the API as the super_admin; returns the id.</summary>
    public async Task<int> CreateUserAsync(string username, string role, string? password = "a long enough password")
    {
        var response = await Http.PostAsJsonAsync("/api/users", new { username, password, roles = new[] { new { role } } }, Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("user").GetProperty("id").GetInt32();
    }

    public sealed record CreatedToken(int Id, string Name, string Role, string Token);

    public static async Task<CreatedToken> CreateTokenAsync(HttpClient client, string name, string role)
    {
        var response = await client.PostAsJsonAsync("/api/tokens", new { name, role }, Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/tokens answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CreatedToken>(Json))!;
    }

    /// <summary>A client whose API token carries <paramref name="role"/> (created by the super_admin).</summary>
    public async Task<HttpClient> ClientFor(string role)
    {
        if (!roleClients.TryGetValue(role, out var client))
        {
            var token = await CreateTokenAsync(Http, $"{role}-token", role);
            client = WithToken(token.Token);
            roleClients[role] = client;
        }
        return client;
    }

    /// <summary>A client sending <c>Authorization: Bearer <paramref name="token"/></c>; it does not follow redirects.</summary>
    public HttpClient WithToken(string token)
    {
        var client = NewClient(new HttpClientHandler { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The audit entries, newest last.</summary>
    public Task<List<AuditEntry>> AuditAsync() =>
        QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.AuditLog.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)));

    /// <summary>Replaces the config file on disk (a reload picks it up).</summary>
    public Task WriteConfigAsync(string yaml) => File.WriteAllTextAsync(Path.Combine(DataDirectory, "vigil.yaml"), yaml);

    /// <summary>Runs a query against the server's own database, outside any request.</summary>
    public async Task<T> QueryAsync<T>(Func<VigilDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<VigilDbContext>());
    }

    /// <summary>
    /// Moves the clock <paramref name="step"/> (default a second) at a time, so checks, retries and
    /// loops on it run, until <paramref name="condition"/> holds; fails naming <paramref name="what"/>
    /// after 10 s of real time (scaled by <see cref="Patience"/>).
    /// </summary>
    public async Task AdvanceUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? step = null)
    {
        var bound = Patience.Of(TimeSpan.FromSeconds(10));
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) >= bound)
            {
                throw new TimeoutException($"not within {bound}: {what}");
            }
            Clock.Advance(step ?? TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }

    /// <summary>
    /// Sets the clock to <paramref name="at"/> once every outbox message due now has been attempted.
    /// A send's timeout runs on this clock: a jump while a webhook is in flight would fire it at
    /// once (and schedule a retry the clock never reaches), which real time never does.
    /// </summary>
    public async Task MoveClockAsync(DateTimeOffset at)
    {
        var bound = Patience.Of(TimeSpan.FromSeconds(10));
        var started = TimeProvider.System.GetTimestamp();
        while (await QueryAsync(db =>
        {
            var now = Clock.GetUtcNow();
            return Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
                db.Set<Features.Notifications.Outbox.OutboxMessage>(), m => m.Status == Features.Notifications.Outbox.OutboxStatus.Pending && m.NextAttemptAt <= now);
        }))
        {
            if (TimeProvider.System.GetElapsedTime(started) >= bound)
            {
                throw new TimeoutException($"not within {bound}: the outbox's due messages attempted before moving the clock to {at:O}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
        Clock.SetUtcNow(at);
    }

    public async Task<T> GetJsonAsync<T>(string path) =>
        (await Http.GetFromJsonAsync<T>(path, Json))!;

    public async ValueTask DisposeAsync()
    {
        clients.ForEach(c => c.Dispose());
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // Each PostgreSQL test has its own database and so its own pool; idle connections left in
        // them add up to the test server's max_connections over a run.
        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: left to the OS's temp cleanup.
        }
    }
}
