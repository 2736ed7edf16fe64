using System.Buffers;
using System.IO.Pipelines;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// The fast path's response head, held back until the body's first bytes have been read and found valid (or the
/// body has ended), so an origin whose body is misframed from its first byte still gets the client a 502, as on the
/// Kestrel path, where the head is only sent with the first flush. One per client connection, reused.
/// </summary>
internal sealed class ResponsePrefix
{
    private ReadOnlyMemory<byte> _pending;

    /// <summary>Whether the head has gone into the client's pipe (from then on a failure can only cut the response).</summary>
    public bool Written { get; private set; }

    public void Hold(ReadOnlyMemory<byte> head)
    {
        _pending = head;
        Written = false;
    }

    public void WriteTo(PipeWriter client)
    {
        if (!Written)
        {
            client.Write(_pending.Span);
            _pending = default;
            Written = true;
        }
    }

    public void Clear()
    {
        _pending = default;
        Written = false;
    }
}
