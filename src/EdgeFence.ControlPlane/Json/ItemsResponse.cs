namespace EdgeFence.ControlPlane.Json;

/// <summary>A list answer. An object rather than a bare array, so fields (paging) can be added without breaking clients.</summary>
public sealed class ItemsResponse<T>
{
    public required IReadOnlyList<T> Items { get; init; }
}
