using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeFence.AspNetCore.Authorize;

/// <summary>The edge's answer to <c>POST /v1/authorize</c> (the members this SDK uses; others are ignored).</summary>
internal sealed class AuthorizeDecision
{
    [JsonRequired]
    public bool Allow { get; set; }

    /// <summary>What proxy mode would have answered: 200 on allow, the refusal's status on deny.</summary>
    [JsonRequired]
    public int Status { get; set; }

    public string? Reason { get; set; }

    public string? Customer { get; set; }

    public string? Plan { get; set; }

    public string? TokenId { get; set; }

    /// <summary>The RFC 9457 problem object, on a denial.</summary>
    public JsonElement? Problem { get; set; }

    /// <summary>The <c>Allow</c> header's value on a 405 denial.</summary>
    public string? AllowHeader { get; set; }

    public string? RequestId { get; set; }
}
