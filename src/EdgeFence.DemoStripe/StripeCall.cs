namespace EdgeFence.DemoStripe;

/// <summary>One request the control plane made to the local Stripe API, as received (form fields flattened Stripe-style).</summary>
public sealed record StripeCall(string Method, string Path, IReadOnlyDictionary<string, string> Form, string? IdempotencyKey, string? ApiKey, string? StripeVersion);
