using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Hosting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Access;

public partial class FirstStartTests
{
    [Fact]
    public async Task First_start_creates_admin_with_a_one_time_password_logged_once_which_must_be_changed()
    {
        var data = Path.Combine(Path.GetTempPath(), $"vigil-first-{Guid.NewGuid():N}");
        var log = new ConcurrentQueue<string>();
        void Capture(IServiceCollection services) => services.AddLogging(b => b.AddProvider(new CapturingProvider(log)));
        try
        {
            string password;
            await using (var app = await VigilHost.StartAsync(new ServeOptions { DataDirectory = data, Urls = "http://127.0.0.1:0" }, Capture))
            {
                var line = Assert.Single(log, l => l.Contains("one-time password", StringComparison.Ordinal));
                password = OneTimePassword().Match(line).Groups[1].Value;
                Assert.Equal(20, password.Length);
                var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
                using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = address };

                Assert.Contains("Unknown username or wrong password", await (await TestServer.PostSignInFormAsync(browser, "admin", "admin")).Content.ReadAsStringAsync());
                var signedIn = await TestServer.PostSignInFormAsync(browser, "admin", password);

                Assert.EndsWith("/account/password", signedIn.Headers.Location?.OriginalString);
                Assert.Equal("/account/password", (await browser.GetAsync("/catalog")).Headers.Location?.OriginalString);
                await app.StopAsync();
            }
            log.Clear();
            await using (var again = await VigilHost.StartAsync(new ServeOptions { DataDirectory = data, Urls = "http://127.0.0.1:0" }, Capture))
            {
                // The password itself is logged once; later starts only say where it is kept until it is changed.
                Assert.DoesNotContain(log, l => l.Contains(password, StringComparison.Ordinal));
                await again.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [GeneratedRegex("one-time password (\\S+) ")]
    private static partial Regex OneTimePassword();

    private sealed class CapturingProvider(ConcurrentQueue<string> log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(log);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                log.Enqueue(formatter(state, exception));
        }
    }
}
