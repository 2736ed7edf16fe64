using EdgeFence.ControlPlane.Hosting;

namespace EdgeFence.ControlPlane.Tests.Hosting;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("ControlPlane:AdminKey", null)]
    [InlineData("ControlPlane:AdminKey", "--ControlPlane:AdminKey=short")]
    [InlineData("ControlPlane:EdgeKey", "--ControlPlane:EdgeKey=tiny")]
    [InlineData("ControlPlane:Edges", "--ControlPlane:Edges=ftp://edge")]
    [InlineData("ControlPlane:Redis", "--ControlPlane:Redis=127.0.0.1:6379,notAnOption=1")]
    [InlineData("ControlPlane:Redis", "--ControlPlane:Redis=connectTimeout=soon")]
    [InlineData("ControlPlane:Redis", "--ControlPlane:Redis=abortConnect=false")]
    [InlineData("ControlPlane:PushRetryMaxSeconds", "--ControlPlane:PushRetryMaxSeconds=0")]
    [InlineData("ControlPlane:PushWaitMilliseconds", "--ControlPlane:PushWaitMilliseconds=soon")]
    [InlineData("ControlPlane:TrafficSpikeFactor", "--ControlPlane:TrafficSpikeFactor=1")]
    [InlineData("ControlPlane:TrafficSpikeFactor", "--ControlPlane:TrafficSpikeFactor=NaN")]
    [InlineData("ControlPlane:TrafficSpikeMinRequests", "--ControlPlane:TrafficSpikeMinRequests=0")]
    public async Task Bad_configuration_is_refused_naming_the_key(string key, string? arg)
    {
        var directory = Path.Combine(Path.GetTempPath(), "edgefence-cp-tests", Guid.NewGuid().ToString("N"));
        var args = new List<string>
        {
            "--ControlPlane:Urls=http://127.0.0.1:0",
            $"--ControlPlane:Database={Path.Combine(directory, "cp.db")}",
            $"--ControlPlane:SigningKey={Path.Combine(directory, "key.pem")}",
        };
        if (key != "ControlPlane:AdminKey")
        {
            args.Add("--ControlPlane:AdminKey=" + new string('k', 40));
        }

        if (arg is not null)
        {
            args.Add(arg);
        }

        var error = await Assert.ThrowsAsync<ControlPlaneConfigurationException>(() => ControlPlaneServer.StartAsync([.. args]));

        Assert.Equal(key, error.Key);
        Assert.False(File.Exists(Path.Combine(directory, "cp.db")), "nothing is created before the configuration is known good");
    }

    [Fact]
    public async Task Edge_key_equal_to_the_admin_key_is_refused()
    {
        var key = new string('k', 40);
        var error = await Assert.ThrowsAsync<ControlPlaneConfigurationException>(() => ControlPlaneServer.StartAsync(["--ControlPlane:Urls=http://127.0.0.1:0", "--ControlPlane:AdminKey=" + key, "--ControlPlane:EdgeKey=" + key]));

        Assert.Equal("ControlPlane:EdgeKey", error.Key);
    }
}
