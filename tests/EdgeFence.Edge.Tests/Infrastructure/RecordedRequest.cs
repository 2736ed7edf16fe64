namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>What the test origin saw of one request.</summary>
public sealed record RecordedRequest(string Method, string RawTarget, Dictionary<string, string> Headers, long BodyBytes, string BodySha256)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
