namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>One request a <see cref="RawOrigin"/> read: on which connection, its index on it, the head as sent, the body.</summary>
public sealed record RawOriginRequest(int Connection, int Index, string Head, byte[] Body)
{
    public bool HasHeaderLine(string line) => Head.Split("\r\n").Contains(line, StringComparer.OrdinalIgnoreCase);

    public bool HasHeader(string name) => Head.Split("\r\n").Any(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));
}
