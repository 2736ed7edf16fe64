using System.Text;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>One response as <see cref="WireClient"/> read it off the socket: the head as sent, then the body's bytes (de-chunked).</summary>
public sealed record WireResponse(int Status, string Head, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, bool Chunked)
{
    public string BodyText => Encoding.Latin1.GetString(Body);

    /// <summary>The one value of <paramref name="name"/>; null when absent; fails when repeated.</summary>
    public string? Header(string name)
    {
        string? found = null;
        foreach (var (key, value) in Headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                Assert.True(found is null, $"{name} repeated in:\n{Head}");
                found = value;
            }
        }

        return found;
    }

    public bool HasHeader(string name) => Headers.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether Connection lists <c>close</c>.</summary>
    public bool Closes => Header("Connection")?.Split(',').Any(o => o.Trim().Equals("close", StringComparison.OrdinalIgnoreCase)) == true;
}
