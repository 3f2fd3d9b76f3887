using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Tests.Support;

namespace Vigil.Tests.Access;

/// <summary>
/// Two replicas on one PostgreSQL database, each with its own data directory: the Data Protection
/// keys are in the database, so sessions and secrets work on both.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedKeysTests(PostgresServer postgres)
{
    private static async Task<string> SignInCookieAsync(TestServer server, string username, string password)
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        var response = await TestServer.PostSignInFormAsync(browser, username, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return cookies.GetCookieHeader(server.BaseAddress);
    }

    private static HttpClient WithCookie(TestServer server, string cookie)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    [Fact]
    public async Task A_session_opened_on_one_replica_works_on_the_other_until_it_signs_out_on_either()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var one = await TestServer.StartAsync(database);
        await using var two = await TestServer.StartAsync(database);
        await one.CreateUserAsync("dana", Role.Operator, "a long enough password");

        var cookie = await SignInCookieAsync(one, "dana", "a long enough password");
        using var onOne = WithCookie(one, cookie);
        using var onTwo = WithCookie(two, cookie);

        Assert.Equal(HttpStatusCode.OK, (await onTwo.GetAsync("/api/me")).StatusCode);

        // Signing out on the second replica ends the session on the first as well.
        var form = await TestServer.FormFieldsAsync(onTwo, "/catalog");
        var signOut = await onTwo.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = form["__RequestVerificationToken"] }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await onOne.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_secret_encrypted_by_one_replica_is_decrypted_by_the_other()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var one = await TestServer.StartAsync(database);
        await using var two = await TestServer.StartAsync(database);

        var stored = one.Services.GetRequiredService<SecretProtector>().Protect("https://hooks.slack.com/services/T000/B000/XXXX");

        Assert.Equal("https://hooks.slack.com/services/T000/B000/XXXX", two.Services.GetRequiredService<SecretProtector>().Unprotect(stored));
    }

    [Fact]
    public async Task Keys_kept_in_the_data_directory_by_an_earlier_version_are_moved_into_the_database_at_start()
    {
        var server = await TestServer.StartAsync(await postgres.CreateDatabaseAsync());
        // What an earlier version did: keys as files in DATA/keys, a secret encrypted with them.
        var earlier = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(server.DataDirectory, "keys")), o => o.SetApplicationName("vigil"));
        var stored = earlier.CreateProtector("Vigil.Secrets.v1").Protect("pd-routing-key");

        server = await server.RestartAsync(TimeSpan.FromMinutes(1));
        await using var _ = server;

        Assert.Equal("pd-routing-key", server.Services.GetRequiredService<SecretProtector>().Unprotect(stored));
    }
}
