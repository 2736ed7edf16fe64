using System.Text.Json.Serialization;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>Whether a site has connected Stripe: never the secrets, only the key's last four characters.</summary>
public sealed class StripeConnectionResponse
{
    public required bool Connected { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KeyLast4 { get; init; }

    /// <summary><c>test</c> or <c>live</c>, from the key's prefix.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mode { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ConnectedAt { get; init; }

    /// <summary>The path to give Stripe as the webhook endpoint, under this control plane's public URL.</summary>
    public required string WebhookPath { get; init; }

    /// <summary>Plans that have a Stripe Price for their current revision (on connect: the ones just synced).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<StripePlanPrice>? Prices { get; init; }
}
