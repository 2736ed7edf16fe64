using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Resources;

/// <summary>A resource request's price, currency and payment, as the snapshot holds them.</summary>
internal static class ResourceInput
{
    public static ResourcePriceTerms Price(RequestErrors errors, CreateResourceRequest request) => new(
        PriceInput.Micros(errors, request.Price, "price"),
        PriceInput.Currency(errors, request.Currency, "currency"),
        Payment(errors, request.Payment));

    public static string PaymentName(ResourcePayment payment) => payment switch
    {
        ResourcePayment.X402 => "x402",
        ResourcePayment.TokenOrX402 => "token-or-x402",
        _ => "token",
    };

    public static string KindName(ResourceKind kind) => kind switch
    {
        ResourceKind.Mcp => "mcp",
        ResourceKind.OpenAi => "openai",
        _ => "http",
    };

    public static ResourceKind Kind(RequestErrors errors, string? kind)
    {
        switch (kind)
        {
            case null or "http": return ResourceKind.Http;
            case "mcp": return ResourceKind.Mcp;
            case "openai": return ResourceKind.OpenAi;
            default:
                errors.Add("kind", $"'{kind}' is not one of http, mcp, openai");
                return ResourceKind.Http;
        }
    }

    private static ResourcePayment Payment(RequestErrors errors, string? payment)
    {
        switch (payment)
        {
            case null or "token": return ResourcePayment.Token;
            case "x402": return ResourcePayment.X402;
            case "token-or-x402": return ResourcePayment.TokenOrX402;
            default:
                errors.Add("payment", $"'{payment}' is not one of token, x402, token-or-x402");
                return ResourcePayment.Token;
        }
    }
}
