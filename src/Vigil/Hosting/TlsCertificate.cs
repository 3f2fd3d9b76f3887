using System.Security.Cryptography.X509Certificates;
using Vigil.Configuration;

namespace Vigil.Hosting;

/// <summary>Loads <c>server.tls</c>: a PFX/PKCS#12 file, or a PEM certificate with its PEM key.</summary>
public static class TlsCertificate
{
    public static X509Certificate2 Load(TlsSettings tls)
    {
        var path = tls.Certificate ?? throw new InvalidOperationException("server.tls.certificate is required");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".pfx" or ".p12")
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, tls.Password);
        }
        var pem = tls.Password is null
            ? X509Certificate2.CreateFromPemFile(path, tls.Key)
            : X509Certificate2.CreateFromEncryptedPemFile(path, tls.Password, tls.Key);
        // Kestrel on some platforms needs the key in an exportable, persisted form; a PKCS#12 round trip gives that.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
