namespace EdgeFence.ControlPlane.Resources;

/// <summary>A resource as the API shows it.</summary>
public sealed class ResourceResponse
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public required string Pattern { get; init; }
    public required IReadOnlyList<string> Methods { get; init; }
    public required long Cost { get; init; }
    public required string? PrivatePath { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}
