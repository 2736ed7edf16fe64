using EdgeFence.Edge.Hosting;

namespace EdgeFence.Edge.Tests.Hosting;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("--EdgeFence:Urls=ftp://127.0.0.1:1", "EdgeFence:Urls")]
    [InlineData("--EdgeFence:Urls=", "EdgeFence:Urls")]
    [InlineData("--EdgeFence:AdminUrls=http://127.0.0.1:18080", "EdgeFence:AdminUrls")]
    [InlineData("--EdgeFence:CheckpointIntervalSeconds=0", "EdgeFence:CheckpointIntervalSeconds")]
    [InlineData("--EdgeFence:CheckpointIntervalSeconds=abc", "EdgeFence:CheckpointIntervalSeconds")]
    [InlineData("--EdgeFence:SnapshotPublicKey=/does/not/exist.pem", "EdgeFence:SnapshotPublicKey")]
    [InlineData("--EdgeFence:SnapshotPath=/does/not/exist.msgpack", "EdgeFence:SnapshotPath")]
    [InlineData("--EdgeFence:NodeId=bad node!", "EdgeFence:NodeId")]
    [InlineData("--EdgeFence:Redis=nosuchkeyword=1", "EdgeFence:Redis")]
    [InlineData("--EdgeFence:EdgeCount=0", "EdgeFence:EdgeCount")]
    [InlineData("--EdgeFence:SyncIntervalMs=1", "EdgeFence:SyncIntervalMs")]
    [InlineData("--EdgeFence:LogFormat=xml", "EdgeFence:LogFormat")]
    [InlineData("--EdgeFence:Upstream=httpclient", "EdgeFence:Upstream")]
    [InlineData("--EdgeFence:X402VerifyTimeoutMs=50", "EdgeFence:X402VerifyTimeoutMs")]
    [InlineData("--EdgeFence:X402SettleTimeoutMs=300001", "EdgeFence:X402SettleTimeoutMs")]
    [InlineData("--EdgeFence:X402ReplayGuardEntries=10", "EdgeFence:X402ReplayGuardEntries")]
    public async Task Bad_configuration_stops_start_with_an_error_naming_the_key(string arg, string key)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
        var args = new[] { "--EdgeFence:Urls=http://127.0.0.1:18080", "--EdgeFence:AdminUrls=http://127.0.0.1:0", $"--EdgeFence:DataDir={dataDir}", arg };
        var ex = await Assert.ThrowsAsync<EdgeConfigurationException>(() => EdgeServer.StartAsync(args));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_public_key_pem_is_a_configuration_error()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "edgefence-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var pem = Path.Combine(dataDir, "key.pem");
        await File.WriteAllTextAsync(pem, "not a pem");
        var ex = await Assert.ThrowsAsync<EdgeConfigurationException>(() => EdgeServer.StartAsync(["--EdgeFence:Urls=http://127.0.0.1:0", "--EdgeFence:AdminUrls=http://127.0.0.1:0", $"--EdgeFence:DataDir={dataDir}", $"--EdgeFence:SnapshotPublicKey={pem}"]));
        Assert.Equal("EdgeFence:SnapshotPublicKey", ex.Key);
    }
}
