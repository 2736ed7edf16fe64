using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeFence.ControlPlane.Hosting;

namespace EdgeFence.ControlPlane.Tests.Infrastructure;

/// <summary>
/// A real control plane (Kestrel, SQLite file, signing key on disk) started in-process on a loopback port, in a
/// temp directory of its own, with every log line captured.
/// </summary>
public sealed class ControlPlaneHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789abcdefghijklmnopqrstuvwxyz";
    public const string EdgeKey = "test-edge-key-0123456789abcdefghijklmnopqrstuvwxyz";

    private readonly string[] _args;
    private ControlPlaneServer? _server;

    private ControlPlaneHost(string directory, string[] args)
    {
        Directory = directory;
        _args = args;
    }

    public string Directory { get; }
    public string DatabasePath => Path.Combine(Directory, "controlplane.db");
    public string SigningKeyPath => Path.Combine(Directory, "keys", "snapshot-signing.pem");
    public string PublicKeyPath => Path.Combine(Directory, "keys", "snapshot-signing.pub.pem");
    public CapturedLogs Logs { get; } = new();
    public ControlPlaneServer Server => _server ?? throw new InvalidOperationException("not running");
    public string Url => Server.Urls[0];

    /// <summary>A client with the admin key.</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>Starts a control plane pushing to <paramref name="edges"/> (admin URLs).</summary>
    public static async Task<ControlPlaneHost> StartAsync(IEnumerable<string>? edges = null, params string[] extraArgs)
    {
        var directory = Path.Combine(Path.GetTempPath(), "edgefence-cp-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var args = new List<string>
        {
            "--ControlPlane:Urls=http://127.0.0.1:0",
            $"--ControlPlane:Database={Path.Combine(directory, "controlplane.db")}",
            $"--ControlPlane:SigningKey={Path.Combine(directory, "keys", "snapshot-signing.pem")}",
            $"--ControlPlane:AdminKey={AdminKey}",
            $"--ControlPlane:EdgeKey={EdgeKey}",
            $"--ControlPlane:Edges={string.Join(';', edges ?? [])}",

            // Retries every second at most, so a test that brings an edge back does not wait 30 s for it.
            "--ControlPlane:PushRetryMaxSeconds=1",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(extraArgs);
        var host = new ControlPlaneHost(directory, [.. args]);
        await host.RestartAsync();
        return host;
    }

    /// <summary>(Re)starts the control plane on the same directory, database and key.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        _server = await ControlPlaneServer.StartAsync(_args, Logs.Configure);
        Api = new HttpClient { BaseAddress = new Uri(_server.Urls[0]) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public Task<ApiResponse> PostAsync(string path, object? body) => SendAsync(HttpMethod.Post, path, body);

    public Task<ApiResponse> PatchAsync(string path, object body) => SendAsync(HttpMethod.Patch, path, body);

    public Task<ApiResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<ApiResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    /// <summary><paramref name="body"/>: a string is sent as the JSON text itself, anything else serialized (camelCase).</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, object? body, string? bearer = AdminKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (bearer is null)
        {
            request.Headers.Authorization = null;
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var client = new HttpClient { BaseAddress = Api.BaseAddress };
        using var response = await client.SendAsync(request);
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The latest snapshot's bytes, signature and version, as an edge pulls them.</summary>
    public async Task<(byte[] Bytes, byte[] Signature, long Version)> GetSnapshotAsync()
    {
        using var response = await Api.GetAsync("/v1/snapshot");
        response.EnsureSuccessStatusCode();
        var signature = Convert.FromBase64String(response.Headers.GetValues("X-EdgeFence-Snapshot-Signature").Single());
        var version = long.Parse(response.Headers.GetValues("X-EdgeFence-Snapshot-Version").Single(), System.Globalization.CultureInfo.InvariantCulture);
        return (await response.Content.ReadAsByteArrayAsync(), signature, version);
    }

    public async Task<long> SnapshotVersionAsync() => (await GetSnapshotAsync()).Version;

    /// <summary>The latest wallet book's bytes, signature and version, as an edge pulls them (with the edge key).</summary>
    public async Task<(byte[] Bytes, byte[] Signature, long Version)> GetWalletsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/wallets");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", EdgeKey);
        using var client = new HttpClient { BaseAddress = Api.BaseAddress };
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal("application/vnd.msgpack", response.Content.Headers.ContentType?.MediaType);
        var signature = Convert.FromBase64String(response.Headers.GetValues("X-EdgeFence-Snapshot-Signature").Single());
        var version = long.Parse(response.Headers.GetValues("X-EdgeFence-Snapshot-Version").Single(), System.Globalization.CultureInfo.InvariantCulture);
        return (await response.Content.ReadAsByteArrayAsync(), signature, version);
    }

    public async Task<long> WalletVersionAsync() => (await GetWalletsAsync()).Version;

    public async Task StopAsync()
    {
        if (_server is not null)
        {
            Api.Dispose();
            await _server.DisposeAsync();
            _server = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }
}
