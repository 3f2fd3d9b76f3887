using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Configuration;
using Vigil.Hosting;

namespace Vigil.Tests.Server;

public class HttpsTests
{
    [Theory]
    [InlineData(".pfx")]
    [InlineData(".pem")]
    public async Task Vigil_serves_https_with_the_given_certificate_over_tls_1_2_and_1_3(string format)
    {
        var data = Path.Combine(Path.GetTempPath(), $"vigil-tls-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=vigil.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(30));
        var tls = new TlsSettings();
        if (format == ".pfx")
        {
            tls.Certificate = Path.Combine(data, "vigil.pfx");
            tls.Password = "pfx password";
            await File.WriteAllBytesAsync(tls.Certificate, certificate.Export(X509ContentType.Pkcs12, tls.Password));
        }
        else
        {
            tls.Certificate = Path.Combine(data, "vigil.crt");
            tls.Key = Path.Combine(data, "vigil.key");
            await File.WriteAllTextAsync(tls.Certificate, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(tls.Key, key.ExportPkcs8PrivateKeyPem());
        }
        await using var app = await VigilHost.StartAsync(new ServeOptions { DataDirectory = data, Urls = "https://127.0.0.1:0", Tls = tls });
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        foreach (var protocol in new[] { SslProtocols.Tls12, SslProtocols.Tls13 })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, address.Port);
            await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "vigil.test", EnabledSslProtocols = protocol });
            Assert.Equal(protocol, ssl.SslProtocol);
            Assert.Equal(certificate.Thumbprint, new X509Certificate2(ssl.RemoteCertificate!).Thumbprint);
        }
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { BaseAddress = address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(data, recursive: true);
    }
}
