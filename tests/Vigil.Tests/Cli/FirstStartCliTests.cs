using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Hosting;
using Vigil.Tests.Hosting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

/// <summary>
/// The first start of a new installation: a port in use fails it with one line and changes nothing,
/// and the first admin's one-time password stays in the data directory (0600) until it is changed.
/// </summary>
public sealed class FirstStartCliTests : IDisposable
{
    private readonly string data = Path.Combine(Path.GetTempPath(), $"vigil-first-start-{Guid.NewGuid():N}");

    private string PasswordFile => Path.Combine(data, "admin-password");

    public void Dispose()
    {
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Runs the real <c>vigil</c> executable to its exit; its standard output and error together.</summary>
    internal static async Task<(int Exit, string Output)> RunVigilAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vigil.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private async Task<WebApplication> StartAsync(LogCapture log) =>
        await VigilHost.StartAsync(
            new ServeOptions { DataDirectory = data, Urls = $"http://127.0.0.1:{LoopbackPorts.Free()}" },
            services => services.AddSingleton<ILoggerProvider>(log));

    private static HttpClient Browser(WebApplication app) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.Urls.First()) };

    [Fact]
    public async Task A_taken_port_fails_the_start_with_one_line_naming_urls_and_the_next_start_still_lets_the_admin_sign_in()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, output) = await RunVigilAsync("serve", "--urls", $"http://127.0.0.1:{port}", "--data", data);

        Assert.NotEqual(0, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains($"http://127.0.0.1:{port}", line);
        Assert.Contains("--urls", line);
        Assert.False(File.Exists(Path.Combine(data, "vigil.db")), "no database (and so no user) is created");
        Assert.False(File.Exists(PasswordFile));

        var log = new LogCapture();
        await using (var app = await StartAsync(log))
        {
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PasswordFile));
            }
            var created = Assert.Single(log.Entries, e => e.Message.StartsWith("No users existed", StringComparison.Ordinal));
            Assert.Contains(PasswordFile, created.Message);
        }

        // The log line has scrolled away: the password is still in the file, and the next start says where.
        var password = (await File.ReadAllTextAsync(PasswordFile)).Trim();
        log = new LogCapture();
        await using (var app = await StartAsync(log))
        {
            Assert.Contains(log.Entries, e => e.Message.Contains($"its one-time password is in {PasswordFile}", StringComparison.Ordinal));
            using var browser = Browser(app);
            var signIn = await TestServer.PostSignInFormAsync(browser, "admin", password);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Equal("/account/password", (await browser.GetAsync("/catalog")).Headers.Location?.OriginalString);

            var changed = await TestServer.PostFormAsync(browser, "/account/password", "password", new()
            {
                ["Input.Current"] = password,
                ["Input.Next"] = "the admin's own long password",
                ["Input.Confirm"] = "the admin's own long password",
            });
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
            Assert.False(File.Exists(PasswordFile), "the one-time password is removed once it is changed");
        }
    }
}
