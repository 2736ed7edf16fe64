using EdgeFence.Edge.Hosting;

namespace EdgeFence.Edge.Tests.Hosting;

/// <summary>When the public listener runs inline by default: only where the fast path serves it.</summary>
public sealed class InlineSchedulingTests
{
    [Theory]
    [InlineData(null, "http://127.0.0.1:8080", null, "pipelines", true, true)]
    [InlineData(null, "http://127.0.0.1:8080;http://[::1]:8080", "Http1AndHttp2", "pipelines", true, true)]
    [InlineData(null, "http://127.0.0.1:8080", "Http2", "pipelines", true, false)]
    [InlineData(null, "https://0.0.0.0:8443", null, "pipelines", true, false)]
    [InlineData(null, "http://127.0.0.1:8080;https://0.0.0.0:8443", null, "pipelines", true, false)]
    [InlineData(null, "http://127.0.0.1:8080", null, "yarp", true, false)]
    [InlineData(null, "http://127.0.0.1:8080", null, "pipelines", false, false)]
    [InlineData(true, "https://0.0.0.0:8443", "Http2", "yarp", false, true)]
    [InlineData(false, "http://127.0.0.1:8080", null, "pipelines", true, false)]
    public void Default_follows_the_fast_path_and_configuration_wins(bool? configured, string urls, string? protocols, string upstream, bool fastPath, bool expected)
    {
        var options = new EdgeOptions { InlineScheduling = configured, Upstream = upstream, FastPath = fastPath };
        Assert.Equal(expected, options.UsesInlineScheduling(protocols, EdgeOptionsValidator.SplitUrls(urls)));
    }
}
