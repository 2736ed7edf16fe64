using System.Globalization;
using System.Security.Cryptography;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;

namespace EdgeFence.SnapshotTool;

/// <summary>
/// <c>edgefence-snapshot</c>: builds signed snapshots from JSON for operators without a control plane, and
/// for the demo and the tests.
/// </summary>
internal static class Program
{
    private const int ExitBadInput = 2;

    private const string Usage = """
        usage:
          edgefence-snapshot keygen --out DIR
          edgefence-snapshot build --in config.json [--key private.pem] --out snapshot.msgpack
          edgefence-snapshot delta --in delta.json [--key private.pem] --out delta.msgpack
          edgefence-snapshot wallets --in wallets.json [--key private.pem] --out wallets.msgpack
          edgefence-snapshot hash-token TOKEN        (TOKEN "-" reads it from stdin)
        """;

    private static int Main(string[] args)
    {
        try
        {
            switch (args)
            {
                case ["keygen", .. var rest]:
                    Keygen(Options.Parse(rest, "--out"));
                    return 0;
                case ["build", .. var rest]:
                    Build(Options.Parse(rest, "--in", "--key", "--out"));
                    return 0;
                case ["delta", .. var rest]:
                    Delta(Options.Parse(rest, "--in", "--key", "--out"));
                    return 0;
                case ["wallets", .. var rest]:
                    Wallets(Options.Parse(rest, "--in", "--key", "--out"));
                    return 0;
                case ["hash-token", var token]:
                    HashToken(token);
                    return 0;
                default:
                    Console.Error.WriteLine(Usage);
                    return ExitBadInput;
            }
        }
        catch (Exception e) when (e is ToolInputException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("edgefence-snapshot: " + e.Message);
            return ExitBadInput;
        }
    }

    private static void Keygen(Options options)
    {
        string dir = options.Required("--out");
        string privatePath = Path.Combine(dir, "snapshot-signing.pem");
        string publicPath = Path.Combine(dir, "snapshot-signing.pub.pem");
        if (File.Exists(privatePath) || File.Exists(publicPath))
        {
            // Replacing a signing key silently would make every edge that trusts the old one refuse snapshots.
            throw new ToolInputException($"{dir} already holds a snapshot signing key; remove it first to replace it");
        }

        Directory.CreateDirectory(dir);
        (string privatePem, string publicPem) = SnapshotSigner.CreateKeyPairPem();
        WriteNewFile(privatePath, privatePem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteNewFile(publicPath, publicPem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Console.WriteLine($"wrote {privatePath} (keep it secret) and {publicPath} (give it to the edges)");
    }

    private static void Build(Options options)
    {
        string inPath = options.Required("--in");
        string outPath = options.Required("--out");
        string? keyPath = options.Optional("--key");

        // The key is loaded first so that a bad key leaves no unsigned snapshot behind.
        using ECDsa? key = keyPath is null ? null : LoadKey(keyPath);
        Snapshot snapshot = SnapshotBuilder.FromJson(File.ReadAllText(inPath), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        byte[] bytes;
        try
        {
            bytes = SnapshotSerializer.Serialize(snapshot);
        }
        catch (ArgumentException e)
        {
            throw new ToolInputException(e.Message);
        }

        WriteSigned(outPath, bytes, key);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"wrote {outPath}: version {snapshot.Version}, {snapshot.Sites.Count} sites, {snapshot.Plans.Count} plans, {snapshot.Resources.Count} resources, {snapshot.Tokens.Count} tokens, {bytes.Length} bytes, {(key is null ? "unsigned" : "signed")}"));
    }

    private static void Delta(Options options)
    {
        string inPath = options.Required("--in");
        string outPath = options.Required("--out");
        string? keyPath = options.Optional("--key");
        using ECDsa? key = keyPath is null ? null : LoadKey(keyPath);
        SnapshotDelta delta = SnapshotBuilder.DeltaFromJson(File.ReadAllText(inPath), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        byte[] bytes;
        try
        {
            bytes = SnapshotSerializer.Serialize(delta);
        }
        catch (ArgumentException e)
        {
            throw new ToolInputException(e.Message);
        }

        WriteSigned(outPath, bytes, key);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {outPath}: delta {delta.BaseVersion} -> {delta.Version}, {delta.Tokens.Count} tokens, {delta.RemovedTokenHashes.Count} removed, {bytes.Length} bytes, {(key is null ? "unsigned" : "signed")}"));
    }

    private static void Wallets(Options options)
    {
        string inPath = options.Required("--in");
        string outPath = options.Required("--out");
        string? keyPath = options.Optional("--key");
        using ECDsa? key = keyPath is null ? null : LoadKey(keyPath);
        WalletBook book = SnapshotBuilder.WalletsFromJson(File.ReadAllText(inPath), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        byte[] bytes;
        try
        {
            bytes = SnapshotSerializer.Serialize(book);
        }
        catch (ArgumentException e)
        {
            throw new ToolInputException(e.Message);
        }

        WriteSigned(outPath, bytes, key);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {outPath}: wallet book version {book.Version}, {book.Wallets.Count} balances, {bytes.Length} bytes, {(key is null ? "unsigned" : "signed")}"));
    }

    /// <summary>The bytes, and their signature in <c>&lt;path&gt;.sig</c> (base64) when a key is given.</summary>
    private static void WriteSigned(string outPath, byte[] bytes, ECDsa? key)
    {
        string sigPath = outPath + ".sig";
        WriteAtomically(outPath, bytes);
        if (key is not null)
        {
            string signature = Convert.ToBase64String(SnapshotSigner.Sign(bytes, key)) + "\n";
            WriteAtomically(sigPath, System.Text.Encoding.ASCII.GetBytes(signature));
        }
        else if (File.Exists(sigPath))
        {
            // It signs the previous snapshot, so it can only make an edge refuse this one.
            File.Delete(sigPath);
            Console.Error.WriteLine($"edgefence-snapshot: removed {sigPath}, which signed an earlier file");
        }
    }

    private static void HashToken(string token)
    {
        if (token == "-")
        {
            token = Console.In.ReadLine() ?? "";
        }

        if (token.Length == 0)
        {
            throw new ToolInputException("hash-token: the token is empty");
        }

        Console.WriteLine(Convert.ToHexStringLower(SnapshotBuilder.HashToken(token)));
    }

    private static ECDsa LoadKey(string path)
    {
        try
        {
            return SnapshotSigner.LoadPrivateKeyPem(File.ReadAllText(path));
        }
        catch (ArgumentException e)
        {
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new ToolInputException($"--key {path}: {message}");
        }
    }

    private static void WriteNewFile(string path, string contents, UnixFileMode mode)
    {
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Set at creation, so the private key is never readable by others, not even for a moment.
            fileOptions.UnixCreateMode = mode;
        }

        using var writer = new StreamWriter(path, fileOptions);
        writer.Write(contents);
    }

    /// <summary>An edge watching the file sees the old bytes or the new ones, never half of them.</summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
