using EdgeFence.Core.Model;

namespace EdgeFence.Edge.OpenAi;

/// <summary>An admitted OpenAI-compatible call on its way: its model's price, what was reserved, and the response body that watches for usage.</summary>
internal sealed class OpenAiMeteredCall
{
    public OpenAiMeteredCall(OpenAiModelPrice price, long reservedMicros, OpenAiUsageStream stream)
    {
        Price = price;
        ReservedMicros = reservedMicros;
        Stream = stream;
    }

    public OpenAiModelPrice Price { get; }

    public long ReservedMicros { get; }

    public OpenAiUsageStream Stream { get; }
}
