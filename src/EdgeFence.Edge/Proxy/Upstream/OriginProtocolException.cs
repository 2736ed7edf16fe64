using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// The origin sent something the edge will not guess at (bad framing, bad syntax, over a limit). The
/// request fails with 502 (or, once the response has started, the client connection is aborted) and the
/// origin connection is dropped, never reused.
/// </summary>
public sealed class OriginProtocolException : Exception
{
    /// <summary>Creates the exception with what was wrong, for the log.</summary>
    public OriginProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception (for serializers and analyzers; the edge uses the message overload).</summary>
    public OriginProtocolException()
    {
    }

    /// <summary>Creates the exception wrapping another.</summary>
    public OriginProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws, kept out of the parser's hot path.</summary>
    [DoesNotReturn]
    [StackTraceHidden]
    public static void Throw(string message) => throw new OriginProtocolException(message);
}
