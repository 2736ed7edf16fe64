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
    public OpenAiMeteredCall(OpenAiModelPrice price, long reservedMicros, OpenAiUsageStream stream, bool usageNotAsked = false, string? originUsageHeader = null)
    {
        OriginUsageHeader = originUsageHeader;
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

    /// <summary>The header or trailer a trusted origin reports usage in (<see cref="Resource.OpenAiOriginUsageHeader"/>); null when the origin is not trusted to meter.</summary>
    public string? OriginUsageHeader { get; }

    /// <summary>Where the origin's own report came from (<c>header</c>, <c>trailer</c>), null while there is none.</summary>
    public string? OriginReportedIn { get; private set; }

    public long OriginPromptTokens { get; private set; }

    public long OriginCompletionTokens { get; private set; }

    public bool OriginCapped { get; private set; }

    /// <summary>Takes the origin's report from a header or trailer value (a trailer, read last, wins); false when it cannot be parsed.</summary>
    public bool TakeOriginReport(string? value, string where)
    {
        if (value is null || !OpenAiOriginUsage.TryParse(value, out var prompt, out var completion, out var capped))
        {
            return false;
        }

        OriginReportedIn = where;
        OriginPromptTokens = prompt;
        OriginCompletionTokens = completion;
        OriginCapped = capped;
        return true;
    }
}
