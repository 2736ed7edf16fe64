namespace EdgeFence.SnapshotTool.JsonModel;

internal sealed class TokenConfig
{
    public string? Id { get; set; }
    public string? SiteId { get; set; }
    public string? PlanId { get; set; }
    public string? Customer { get; set; }

    /// <summary>The clear token: hashed by the tool, never written anywhere.</summary>
    public string? Token { get; set; }

    /// <summary>SHA-256 of the token as 64 hex digits, for operators who never hold the clear token.</summary>
    public string? TokenHash { get; set; }

    public long ExpiresAtUnix { get; set; }
    public bool Revoked { get; set; }
}
