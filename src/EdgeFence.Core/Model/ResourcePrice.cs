namespace EdgeFence.Core.Model;

/// <summary>A plan's own price per call for one resource, in millionths of the resource's currency.</summary>
public readonly record struct ResourcePrice(string ResourceId, long PriceMicros);
