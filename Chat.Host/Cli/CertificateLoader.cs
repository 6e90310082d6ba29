using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fleck.Chat.Host.Cli;

/// <summary>Reads the --cert file: a PKCS#12 (.pfx/.p12) archive, or PEM text holding the certificate and its private key.</summary>
internal static class CertificateLoader
{
    /// <summary>Loads the certificate; any failure becomes a <see cref="HostStartException"/> naming the file.</summary>
    public static X509Certificate2 Load(string path, string? password)
    {
        try
        {
            var certificate = IsPem(path) ? LoadPem(path, password) : X509CertificateLoader.LoadPkcs12FromFile(path, password);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                throw new HostStartException($"certificate {path} has no private key; a server needs one");
            }
            return certificate;
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            throw new HostStartException($"cannot read certificate {path}: {ex.Message}", ex);
        }
    }

    private static bool IsPem(string path)
    {
        // PEM is text that starts with a "-----BEGIN" line; PKCS#12 is binary DER. A peek is enough.
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[64];
        var read = file.Read(head);
        return System.Text.Encoding.ASCII.GetString(head[..read]).Contains("-----BEGIN", StringComparison.Ordinal);
    }

    private static X509Certificate2 LoadPem(string path, string? password)
    {
        using var pem = password is null ? X509Certificate2.CreateFromPemFile(path) : X509Certificate2.CreateFromEncryptedPemFile(path, password);
        // SslStream on Linux cannot use the ephemeral key a PEM load gives; a PKCS#12 round trip makes it persistent.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
