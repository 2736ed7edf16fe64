using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeFence.ControlPlane.Tokens;

namespace EdgeFence.ControlPlane.Billing;

// Billing's own context (so it merges apart from the shared one); same options: camelCase, unknown members refused.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ConnectStripeRequest))]
[JsonSerializable(typeof(StripeConnectionResponse))]
[JsonSerializable(typeof(CheckoutRequest))]
[JsonSerializable(typeof(CheckoutResponse))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(IssuedTokenResponse))]
internal sealed partial class BillingJsonContext : JsonSerializerContext
{
    /// <summary>As <c>ControlPlaneJsonContext.Api</c>: readable quotes in messages; bodies are only ever served as JSON.</summary>
    public static BillingJsonContext Api { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
