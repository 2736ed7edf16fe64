using EdgeFence.Edge.Snapshots;

namespace EdgeFence.Edge.Enforcement;

/// <summary>
/// The billable calls one request carries when the body, not the path, says what it costs (an MCP
/// request, or a batch of them): each priced call's resource, decided together as one request whose cost
/// and price are the calls' sum. A request of free calls only has none and costs nothing (its token and
/// rate limit are still checked).
/// </summary>
internal sealed class CallSet
{
    public CallSet(ResourceRuntime primary, ResourceRuntime[] priced)
    {
        Primary = primary;
        Priced = priced;
        foreach (var resource in priced)
        {
            Cost += resource.Cost;
        }
    }

    /// <summary>
    /// One metered call (an OpenAI-compatible request): its resource's units against the quota, and a price set
    /// by the request itself (the reservation for its tokens) instead of the resource's or the plan's.
    /// </summary>
    public CallSet(ResourceRuntime primary, long meteredPriceMicros)
        : this(primary, [primary])
    {
        MeteredPriceMicros = meteredPriceMicros;
    }

    /// <summary>
    /// The end user the call is for (an OpenAI-compatible request's <c>user</c>, OpenAi/OpenAiEndUser.cs), already
    /// validated; null for the token's own account. Then quota, rate limit and balance are the user's, not the token's.
    /// </summary>
    public string? EndUser { get; init; }

    /// <summary>The request's own price in micros (a reservation), or -1 when the resources' prices apply.</summary>
    public long MeteredPriceMicros { get; } = -1;

    /// <summary>The resource the decision log and forwarding see: the first priced call's, else the endpoint.</summary>
    public ResourceRuntime Primary { get; }

    public ResourceRuntime[] Priced { get; }

    /// <summary>Units the request costs against the quota.</summary>
    public long Cost { get; }
}
