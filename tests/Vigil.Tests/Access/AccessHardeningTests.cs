using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Access;

/// <summary>The findings of the outside security review, each shown closed through the real API and console.</summary>
public abstract partial class AccessHardeningTests : IAsyncLifetime
{
    private const string Password = "a long enough password";
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), """
        access:
          session_timeout: 8h
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task ReloadAsync(string yaml)
    {
        await server.WriteConfigAsync(yaml);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsync("/-/reload", null)).StatusCode);
    }

    [Fact]
    public async Task A_token_of_a_user_who_must_enrol_in_mfa_is_refused_until_they_enrol()
    {
        await server.CreateUserAsync("ada", Role.Admin);
        var session = await server.SignInAsync("ada", Password);
        var token = await TestServer.CreateTokenAsync(session, "before-mfa", Role.Admin);
        var client = server.WithToken(token.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users")).StatusCode);

        await ReloadAsync("""
            access:
              session_timeout: 8h
              mfa_required_roles: [admin]
            """);

        var users = await client.GetAsync("/api/users");
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Contains("enrol first", await users.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/tokens", new { name = "new-admin", role = Role.Admin }, TestServer.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/me")).StatusCode);
    }

    private static async Task<(HttpClient Browser, CookieContainer Cookies)> SignInKeepingCookiesAsync(TestServer server, string username)
    {
        var cookies = new CookieContainer();
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.Redirect, (await TestServer.PostSignInFormAsync(browser, username, Password)).StatusCode);
        return (browser, cookies);
    }

    private HttpClient WithCookie(string cookie)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("Cookie", $"vigil_session={cookie}");
        return client;
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working()
    {
        await server.CreateUserAsync("bo", Role.Operator);
        var (browser, cookies) = await SignInKeepingCookiesAsync(server, "bo");
        var copied = cookies.GetCookies(server.BaseAddress)["vigil_session"]!.Value;
        using var copy = WithCookie(copied);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/me")).StatusCode);

        var form = await TestServer.FormFieldsAsync(browser, "/catalog");
        await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = form["__RequestVerificationToken"] }));

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/me")).StatusCode);
        browser.Dispose();
    }

    [Fact]
    public async Task Lowering_the_session_timeout_shortens_sessions_already_open()
    {
        await server.CreateUserAsync("cy", Role.Viewer);
        var (browser, _) = await SignInKeepingCookiesAsync(server, "cy");

        await ReloadAsync("""
            access:
              session_timeout: 1h
            """);
        server.Clock.Advance(TimeSpan.FromMinutes(40));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/me")).StatusCode);
        server.Clock.Advance(TimeSpan.FromMinutes(61));

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/me")).StatusCode);
        browser.Dispose();
    }

    [Fact]
    public async Task A_viewer_sees_no_heartbeat_token_nor_secret_header_while_an_editor_does()
    {
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsJsonAsync("/api/services", new { name = "api" }, TestServer.Json)).StatusCode);
        var heartbeat = await server.Http.PostAsJsonAsync("/api/monitors", new { name = "nightly", type = "heartbeat", service = "api", period = "1h", token = "hb-secret-token-123" }, TestServer.Json);
        Assert.Equal(HttpStatusCode.Created, heartbeat.StatusCode);
        var http = await server.Http.PostAsJsonAsync("/api/monitors", new
        {
            name = "checkout",
            type = "http",
            service = "api",
            url = "http://127.0.0.1:9/",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer hdr-secret-456", ["Accept"] = "application/json" },
        }, TestServer.Json);
        Assert.Equal(HttpStatusCode.Created, http.StatusCode);
        var viewer = await server.ClientFor(Role.Viewer);
        var viewerSession = await SignInAsViewerAsync();

        var asViewer = await viewer.GetStringAsync("/api/monitors") + await viewer.GetStringAsync("/api/monitors/nightly") + await viewer.GetStringAsync("/api/monitors/checkout");
        var page = await viewerSession.GetStringAsync("/monitors/nightly");
        var asEditor = await (await server.ClientFor(Role.Operator)).GetStringAsync("/api/monitors/nightly") + await server.Http.GetStringAsync("/api/monitors/checkout");

        Assert.DoesNotContain("hb-secret-token-123", asViewer);
        Assert.DoesNotContain("hdr-secret-456", asViewer);
        Assert.Contains("application/json", asViewer);
        Assert.DoesNotContain("hb-secret-token-123", page);
        Assert.Contains("/ping/hb-secret-token-123", asEditor);
        Assert.Contains("hdr-secret-456", asEditor);
        // The token still works for the job that pings.
        Assert.True((await server.Anonymous.GetAsync("/ping/hb-secret-token-123")).IsSuccessStatusCode);
    }

    private async Task<HttpClient> SignInAsViewerAsync()
    {
        await server.CreateUserAsync("vera", Role.Viewer);
        return await server.SignInAsync("vera", Password);
    }

    [Fact]
    public async Task A_receivers_answer_is_shown_to_those_who_send_through_channels_but_not_to_viewers()
    {
        await using var receiver = await NotificationReceiver.StartAsync();
        receiver.ResponseBody = "receiver-secret-789";
        await ReloadAsync($"""
            access:
              session_timeout: 8h
            channels:
              - name: hook
                type: webhook
                url: {receiver.Url}/hook
            """);
        var queued = await server.Http.PostAsync("/api/channels/hook/test", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var id = (await queued.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        await Notifications.DeliveryScenario.UntilAttemptsAsync(server, id, 1);

        var asViewer = await (await server.ClientFor(Role.Viewer)).GetStringAsync("/api/notifications?channel=hook");
        var asOperator = await (await server.ClientFor(Role.Operator)).GetStringAsync("/api/notifications?channel=hook");

        Assert.DoesNotContain("receiver-secret-789", asViewer);
        Assert.Contains("\"status_code\":200", asViewer);
        Assert.Contains("receiver-secret-789", asOperator);
    }

    private const string Name = "zelda-quux";

    /// <summary>Gives the user a contact method, a notification rule, a calendar feed, an override and a silence, through the API as they would.</summary>
    private async Task<(int Id, HttpClient Session)> UserWithEverythingAsync()
    {
        var id = await server.CreateUserAsync(Name, Role.Operator);
        var session = await server.SignInAsync(Name, Password);
        var method = await session.PostAsJsonAsync($"/api/users/{Name}/contact-methods", new { type = "email", address = "zelda@example.com", label = "work" }, TestServer.Json);
        Assert.Equal(HttpStatusCode.Created, method.StatusCode);
        var methodId = (await method.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt32();
        Assert.True((await session.PutAsJsonAsync($"/api/users/{Name}/notification-rules", new object[] { new { contact_method_id = methodId, delay = "2m" } }, TestServer.Json)).IsSuccessStatusCode);
        Assert.True((await session.PostAsync($"/api/users/{Name}/feed", null)).IsSuccessStatusCode);
        var schedule = await server.Http.PostAsync("/api/schedules", new StringContent("""
            {"name": "db", "time_zone": "UTC", "layers": [{"rotation": "daily", "handoff": "08:00", "start": "2026-11-01", "participants": ["someone-else"]}]}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, schedule.StatusCode);
        var @override = await session.PostAsJsonAsync("/api/schedules/db/overrides", new { user = Name, start = "2026-11-07T10:00", end = "2026-11-07T16:00" }, TestServer.Json);
        Assert.Equal(HttpStatusCode.Created, @override.StatusCode);
        var silence = await session.PostAsJsonAsync("/api/silences", new { matchers = new[] { "service=\"api\"" }, ends_at = server.Clock.GetUtcNow().AddHours(1), comment = "deploy" }, TestServer.Json);
        Assert.True(silence.IsSuccessStatusCode, await silence.Content.ReadAsStringAsync());
        return (id, session);
    }

    [Fact]
    public async Task The_export_holds_contact_methods_rules_feed_overrides_and_silences()
    {
        var (id, _) = await UserWithEverythingAsync();

        var export = await server.GetJsonAsync<System.Text.Json.JsonElement>($"/api/users/{id}/export");

        Assert.Equal("zelda@example.com", export.GetProperty("contact_methods")[0].GetProperty("address").GetString());
        Assert.Equal(export.GetProperty("contact_methods")[0].GetProperty("id").GetInt32(), export.GetProperty("notification_rules")[0].GetProperty("contact_method_id").GetInt32());
        Assert.True(export.GetProperty("calendar_feed").GetBoolean());
        Assert.Equal(("db", Name), (export.GetProperty("overrides")[0].GetProperty("schedule").GetString(), export.GetProperty("overrides")[0].GetProperty("user").GetString()));
        Assert.Equal("deploy", export.GetProperty("silences")[0].GetProperty("comment").GetString());
    }

    [Fact]
    public async Task After_erasure_the_name_is_nowhere_in_the_database_but_the_pseudonym_is_in_the_audit()
    {
        var (id, _) = await UserWithEverythingAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync($"/api/users/{id}")).StatusCode);

        var found = await server.QueryAsync(db => TextColumnsContainingAsync(db, Name));
        Assert.Empty(found);
        var entries = await server.AuditAsync();
        Assert.Contains(entries, e => e.ResourceId == Features.Access.PersonalData.Pseudonym(id) || e.Metadata.Contains(Features.Access.PersonalData.Pseudonym(id)));
        Assert.Contains(entries, e => e.Username == Features.Access.PersonalData.Pseudonym(id));
        Assert.Equal(0, await server.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Set<Features.OnCall.Escalation.ContactMethod>())));
    }

    /// <summary>Every "table.column" of the database whose text contains <paramref name="text"/>, on SQLite and PostgreSQL alike.</summary>
    private static async Task<List<string>> TextColumnsContainingAsync(Data.VigilDbContext db, string text)
    {
        var connection = Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetDbConnection(db.Database);
        await connection.OpenAsync();
        var isSqlite = connection is Microsoft.Data.Sqlite.SqliteConnection;
        var columns = new List<(string Table, string Column)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = isSqlite
                ? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND (p.type LIKE '%TEXT%' OR p.type = '')"
                : "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'jsonb')";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        Assert.NotEmpty(columns);
        var found = new List<string>();
        foreach (var (table, column) in columns)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%{text}%'";
            if (Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                found.Add($"{table}.{column}");
            }
        }
        return found;
    }

    [GeneratedRegex("<p class=\"error\" role=\"alert\">([^<]*)</p>")]
    private static partial Regex ErrorMessage();

    private static async Task<string> SignInMessageAsync(HttpClient browser, string username) =>
        ErrorMessage().Match(await (await TestServer.PostSignInFormAsync(browser, username, "wrong wrong wrong")).Content.ReadAsStringAsync()).Groups[1].Value;

    [Fact]
    public async Task A_locked_account_answers_exactly_as_an_unknown_username_does()
    {
        await server.CreateUserAsync("dee", Role.Viewer);
        var browser = server.NewBrowser();
        var known = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            known.Add(await SignInMessageAsync(browser, "dee"));
            unknown.Add(await SignInMessageAsync(browser, "nobody-" + i % 2));
        }

        Assert.True(await server.QueryAsync(db => Task.FromResult(db.Users.Single(u => u.Username == "dee").LockedUntil > server.Clock.GetUtcNow())));
        Assert.Equal(unknown, known);
        Assert.StartsWith("Unknown username or wrong password.", known[^1]);
    }

    [Theory]
    [InlineData("aaaaaaaaaaaa")]
    [InlineData("abcabcabcabc")]
    [InlineData("123456789012")]
    [InlineData("Password2024!")]
    [InlineData("qwertyuiop12")]
    public async Task A_repeated_or_common_password_is_refused(string password)
    {
        var response = await server.Http.PostAsJsonAsync("/api/users", new { username = "eve", password, roles = new[] { new { role = Role.Viewer } } }, TestServer.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"password\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Showing_the_sign_in_form_does_not_count_toward_the_sign_in_limit()
    {
        using var browser = server.NewBrowser();
        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/signin")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await TestServer.PostSignInFormAsync(browser, TestServer.AdminUsername, TestServer.AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task An_api_token_pays_the_api_rate_limit_on_console_pages_too()
    {
        var client = await server.ClientFor(Role.Viewer);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 101; i++)
        {
            statuses.Add((await client.GetAsync("/catalog")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.All(statuses[..100], s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Theory]
    [InlineData("/signin")]
    [InlineData("/catalog")]
    [InlineData("/api/me")]
    public async Task Console_pages_and_the_api_carry_the_security_headers(string path)
    {
        var response = await (await server.SignInAsync(TestServer.AdminUsername, TestServer.AdminPassword)).GetAsync(path);

        AssertSecurityHeaders(response.Headers);
    }

    public static void AssertSecurityHeaders(HttpResponseHeaders headers)
    {
        var csp = headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-inline'; img", csp.Split("script-src")[1].Split(';')[0] + "; img");
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", headers.GetValues("Referrer-Policy").Single());
        Assert.False(headers.Contains("Strict-Transport-Security"), "HSTS is for HTTPS answers only");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_database_and_metrics_files_are_readable_by_the_owner_only()
    {
        await server.Http.GetAsync("/api/me");

        var entries = new DirectoryInfo(server.DataDirectory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).ToList();

        Assert.Contains(entries, e => e.Name == "wal");
        Assert.Equal(DataFileModes.DirectoryMode, File.GetUnixFileMode(server.DataDirectory));
        Assert.All(entries, e => Assert.True(
            e.UnixFileMode == (e is DirectoryInfo ? DataFileModes.DirectoryMode : DataFileModes.FileMode),
            $"{e.FullName} is {e.UnixFileMode}"));
    }
}

public sealed class AccessHardeningOnSqlite : AccessHardeningTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_sqlite_database_is_created_readable_by_the_owner_only()
    {
        await using var server = await TestServer.StartAsync();
        var files = Directory.GetFiles(server.DataDirectory, "vigil.db*");

        Assert.Contains(files, f => f.EndsWith("vigil.db", StringComparison.Ordinal));
        Assert.All(files, f => Assert.Equal(DataFileModes.FileMode, File.GetUnixFileMode(f)));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class AccessHardeningOnPostgres(PostgresServer postgres) : AccessHardeningTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
