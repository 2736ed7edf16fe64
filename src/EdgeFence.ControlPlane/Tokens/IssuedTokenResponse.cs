using System.Text.Json.Serialization;

namespace EdgeFence.ControlPlane.Tokens;

/// <summary>The answer to creating or rotating a token: the only place the token appears, ever.</summary>
public sealed class IssuedTokenResponse : TokenResponse
{
    public required string Token { get; init; }

    /// <summary>On rotation: when the previous token stops working.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? PreviousTokenExpiresAt { get; init; }
}
