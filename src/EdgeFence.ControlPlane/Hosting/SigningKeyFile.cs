using System.Security.Cryptography;
using EdgeFence.Core.Security;

namespace EdgeFence.ControlPlane.Hosting;

/// <summary>
/// The snapshot signing key: loaded from <c>ControlPlane:SigningKey</c>, or generated there on first start
/// with its public half written beside it (<c>x.pem</c> → <c>x.pub.pem</c>) for the edges.
/// </summary>
internal static class SigningKeyFile
{
    public static string PublicKeyPath(string privateKeyPath)
    {
        var withoutPem = privateKeyPath.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) ? privateKeyPath[..^4] : privateKeyPath;
        return withoutPem + ".pub.pem";
    }

    /// <summary>Returns the key and whether it was generated now.</summary>
    public static (ECDsa Key, bool Generated) LoadOrCreate(string path)
    {
        const string Key = "ControlPlane:SigningKey";
        var publicPath = PublicKeyPath(path);
        var generated = false;
        if (!File.Exists(path))
        {
            if (File.Exists(publicPath))
            {
                // Edges trust that public key; a new key pair would make every one of them refuse our snapshots.
                throw new ControlPlaneConfigurationException(Key, $"'{path}' is missing but its public half '{publicPath}' exists; restore the private key, or remove both to start with a new pair");
            }

            try
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(path));
                if (directory is not null)
                {
                    Directory.CreateDirectory(directory);
                }

                var (privatePem, publicPem) = SnapshotSigner.CreateKeyPairPem();
                WriteNew(path, privatePem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                WriteNew(publicPath, publicPem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                generated = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ControlPlaneConfigurationException(Key, $"cannot write a new key pair at '{path}' ({ex.Message})");
            }
        }

        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ControlPlaneConfigurationException(Key, $"cannot read '{path}' ({ex.Message})");
        }

        try
        {
            return (SnapshotSigner.LoadPrivateKeyPem(pem), generated);
        }
        catch (ArgumentException ex)
        {
            throw new ControlPlaneConfigurationException(Key, $"'{path}': {ex.Message}");
        }
    }

    /// <summary>CreateNew: two control planes starting at once on one directory must not overwrite each other's key.</summary>
    private static void WriteNew(string path, string text, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using var writer = new StreamWriter(path, options);
        writer.Write(text);
    }
}
