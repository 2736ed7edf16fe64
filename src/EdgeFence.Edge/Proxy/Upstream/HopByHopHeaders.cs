namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// Headers that describe one connection, not the message (RFC 9110 7.6.1), plus those whose framing the
/// engine writes itself. Never copied from the client to the origin or from the origin to the client.
/// </summary>
internal static class HopByHopHeaders
{
    private static readonly HashSet<string> s_names = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Proxy-Authorization", "Proxy-Authenticate", "Content-Length",

        // The engine sends the body without waiting for a 100 from the origin (Kestrel already answered the
        // client's Expect when the body was first read), so the origin must not wait for its own 100 either.
        "Expect",

        // Written first by the engine (ForwardTransform.Host).
        "Host",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> s_lookup = s_names.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool Contains(ReadOnlySpan<char> name) => s_lookup.Contains(name);

    /// <summary>Whether <paramref name="name"/> is one of the comma-separated options of a Connection header.</summary>
    public static bool IsNamedIn(ReadOnlySpan<char> name, string? connection)
    {
        if (string.IsNullOrEmpty(connection))
        {
            return false;
        }

        var span = connection.AsSpan();
        foreach (var range in span.Split(','))
        {
            if (span[range].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
