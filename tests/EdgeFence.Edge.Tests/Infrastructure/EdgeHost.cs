using System.Security.Cryptography;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Edge.Hosting;

namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>
/// A real edge (both Kestrel listeners, real FASTER store on disk) started in-process on loopback
/// ports, with a signing key of its own and a temp data directory.
/// </summary>
public sealed class EdgeHost : IAsyncDisposable
{
    private EdgeServer? _server;

    private EdgeHost(string dataDir, ECDsa signingKey, string publicKeyPath)
    {
        DataDir = dataDir;
        SigningKey = signingKey;
        PublicKeyPath = publicKeyPath;
    }

    public string DataDir { get; }
    public ECDsa SigningKey { get; }
    public string PublicKeyPath { get; }
    public HttpClient Public { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public string PublicUrl => _server!.PublicUrls[0];

    /// <summary>Starts an edge serving <paramref name="snapshot"/> (written to SnapshotPath, signed).</summary>
    public static async Task<EdgeHost> StartAsync(Snapshot? snapshot, params string[] extraArgs)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var (privatePem, publicPem) = SnapshotSigner.CreateKeyPairPem();
        var publicKeyPath = Path.Combine(dataDir, "signing.pub.pem");
        await File.WriteAllTextAsync(publicKeyPath, publicPem);
        var host = new EdgeHost(dataDir, SnapshotSigner.LoadPrivateKeyPem(privatePem), publicKeyPath);
        string? snapshotPath = null;
        if (snapshot is not null)
        {
            snapshotPath = Path.Combine(dataDir, "initial.msgpack");
            var bytes = SnapshotSerializer.Serialize(snapshot);
            await File.WriteAllBytesAsync(snapshotPath, bytes);
            await File.WriteAllTextAsync(snapshotPath + ".sig", Convert.ToBase64String(host.Sign(bytes)));
        }

        await host.RestartAsync(snapshotPath, extraArgs);
        return host;
    }

    /// <summary>(Re)starts the edge process on the same data directory.</summary>
    public async Task RestartAsync(string? snapshotPath = null, params string[] extraArgs)
    {
        await StopAsync();
        var args = new List<string>
        {
            "--EdgeFence:Urls=http://127.0.0.1:0",
            "--EdgeFence:AdminUrls=http://127.0.0.1:0",
            $"--EdgeFence:DataDir={DataDir}",
            $"--EdgeFence:SnapshotPublicKey={PublicKeyPath}",
            "--EdgeFence:NodeId=test-node",
            "--Logging:LogLevel:Default=Warning",
        };
        if (snapshotPath is not null)
        {
            args.Add($"--EdgeFence:SnapshotPath={snapshotPath}");
        }

        args.AddRange(extraArgs);
        _server = await EdgeServer.StartAsync([.. args]);
        Public = new HttpClient { BaseAddress = new Uri(_server.PublicUrls[0]) };
        Admin = new HttpClient { BaseAddress = new Uri(_server.AdminUrls[0]) };
    }

    public byte[] Sign(byte[] bytes) => SnapshotSigner.Sign(bytes, SigningKey);

    /// <summary>Pushes a snapshot to the admin listener, signed with this edge's key unless told otherwise.</summary>
    public Task<HttpResponseMessage> PushAsync(byte[] bytes, byte[]? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/snapshot") { Content = new ByteArrayContent(bytes) };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(SnapshotSigner.HeaderName, Convert.ToBase64String(signature));
        }

        return Admin.SendAsync(request);
    }

    public Task<HttpResponseMessage> PushAsync(Snapshot snapshot)
    {
        var bytes = SnapshotSerializer.Serialize(snapshot);
        return PushAsync(bytes, Sign(bytes));
    }

    /// <summary>Pushes a delta to <c>PUT /v1/snapshot/delta</c>, with <paramref name="signature"/> when given.</summary>
    public Task<HttpResponseMessage> PushDeltaAsync(byte[] bytes, byte[]? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/snapshot/delta") { Content = new ByteArrayContent(bytes) };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(SnapshotSigner.HeaderName, Convert.ToBase64String(signature));
        }

        return Admin.SendAsync(request);
    }

    /// <summary>Pushes a delta signed with this edge's key.</summary>
    public Task<HttpResponseMessage> PushDeltaAsync(SnapshotDelta delta)
    {
        var bytes = SnapshotSerializer.Serialize(delta);
        return PushDeltaAsync(bytes, Sign(bytes));
    }

    /// <summary>The version and state hash the edge reports on <c>GET /v1/snapshot</c>.</summary>
    public async Task<(long Version, byte[] StateHash, int Tokens)> ServedStateAsync()
    {
        using var json = System.Text.Json.JsonDocument.Parse(await Admin.GetStringAsync("/v1/snapshot"));
        var root = json.RootElement;
        return (root.GetProperty("version").GetInt64(), Convert.FromHexString(root.GetProperty("stateHash").GetString()!), root.GetProperty("tokens").GetInt32());
    }

    /// <summary>A request to the demo site by host name, with an optional token.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string target, string? token = null, Action<HttpRequestMessage>? edit = null)
    {
        var request = new HttpRequestMessage(method, target);
        request.Headers.Host = TestSnapshot.SiteHost;
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        edit?.Invoke(request);
        return Public.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string target, string? token = null) => SendAsync(HttpMethod.Get, target, token);

    public async Task StopAsync()
    {
        if (_server is not null)
        {
            Public.Dispose();
            Admin.Dispose();
            await _server.DisposeAsync();
            _server = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        SigningKey.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }
}
