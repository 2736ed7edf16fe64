using EdgeFence.Core.Model;

namespace EdgeFence.Edge.OpenAi;

/// <summary>
/// An admitted OpenAI-compatible call on its way: its model's price, what was reserved, and the response body that watches for usage.
/// <para>
/// A streamed call that does not ask for usage (<c>stream_options.include_usage</c>) is charged its reservation, and
/// the edge does not add the option itself, as Envoy AI Gateway does. Why: (1) the body reaches the origin byte for
/// byte from Kestrel's pipe, a property the tests prove by hash; rewriting it means the edge composes the bytes the
/// origin trusts (a splice into JSON the edge only scanned, a new Content-Length), and any body signature or
/// idempotency hash between client and origin breaks; (2) the usage-only chunk the option adds must then be cut from
/// what the client sees, so the edge would hold and re-frame SSE events instead of passing each chunk on as it
/// arrives, and a client that did not ask for it may choke on a chunk with empty <c>choices</c>; (3) the reservation is
/// an upper bound (the body's bytes and max_tokens), so the edge never under-charges, and the cure is the client's:
/// the OpenAI .NET SDK 2.15.0 already sends the option, npm <c>openai</c> 6 takes <c>stream_options</c>. The log line
/// (event 825) says which calls paid their reservation for this reason.
/// </para>
/// </summary>
internal sealed class OpenAiMeteredCall
{
    public OpenAiMeteredCall(OpenAiModelPrice price, long reservedMicros, OpenAiUsageStream stream, bool usageNotAsked = false)
    {
        Price = price;
        ReservedMicros = reservedMicros;
        Stream = stream;
        UsageNotAsked = usageNotAsked;
    }

    public OpenAiModelPrice Price { get; }

    public long ReservedMicros { get; }

    public OpenAiUsageStream Stream { get; }

    /// <summary>A streamed request without <c>stream_options.include_usage</c>: an answer without usage is the client's choice.</summary>
    public bool UsageNotAsked { get; }
}
