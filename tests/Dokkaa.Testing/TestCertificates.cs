namespace Dokkaa.Testing;

/// <summary>
/// A throwaway PKI made with openssl in a temp directory: a CA, a server certificate for 127.0.0.1 and a client
/// certificate, both signed by it, and a second CA that signed nothing (to show a client that trusts the wrong
/// CA). Dispose deletes the files.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    public string ServerCertFile => Path.Combine(Directory, "server.pem");

    public string ServerKeyFile => Path.Combine(Directory, "server-key.pem");

    public string ClientCertFile => Path.Combine(Directory, "client.pem");

    public string ClientKeyFile => Path.Combine(Directory, "client-key.pem");

    /// <summary>The common name of the client certificate.</summary>
    public const string ClientName = "dokkaa-test-client";

    public static async Task<TestCertificates> CreateAsync()
    {
        var certificates = new TestCertificates(Path.Combine(Path.GetTempPath(), "dokkaa-pki-" + Guid.NewGuid().ToString("N")));
        System.IO.Directory.CreateDirectory(certificates.Directory);
        try
        {
            await certificates.MakeAsync().ConfigureAwait(false);
            return certificates;
        }
        catch
        {
            certificates.Dispose();
            throw;
        }
    }

    // etcd's own gateway dials the member with the server certificate, so that one is a client certificate too.
    private async Task MakeAsync()
    {
        await CaAsync("ca", "dokkaa test CA").ConfigureAwait(false);
        await CaAsync("other-ca", "some other CA").ConfigureAwait(false);
        await SignedAsync("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth").ConfigureAwait(false);
        await SignedAsync("client", ClientName, "extendedKeyUsage=clientAuth").ConfigureAwait(false);
    }

    private Task CaAsync(string name, string subject) => OpenSslAsync(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-subj", $"/CN={subject}", "-keyout", Path.Combine(Directory, $"{name}-key.pem"), "-out", Path.Combine(Directory, $"{name}.pem"));

    private async Task SignedAsync(string name, string commonName, string extensions)
    {
        var request = Path.Combine(Directory, $"{name}.csr");
        var extensionFile = Path.Combine(Directory, $"{name}.ext");
        await File.WriteAllTextAsync(extensionFile, extensions + "\n").ConfigureAwait(false);
        await OpenSslAsync(
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", $"/CN={commonName}",
            "-keyout", Path.Combine(Directory, $"{name}-key.pem"), "-out", request).ConfigureAwait(false);
        await OpenSslAsync(
            "x509", "-req", "-in", request, "-CA", CaFile, "-CAkey", Path.Combine(Directory, "ca-key.pem"), "-CAcreateserial",
            "-days", "2", "-extfile", extensionFile, "-out", Path.Combine(Directory, $"{name}.pem")).ConfigureAwait(false);
    }

    private static async Task OpenSslAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("openssl", args).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {result.All}");
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail the test run.
        }
    }
}
