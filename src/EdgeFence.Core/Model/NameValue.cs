namespace EdgeFence.Core.Model;

/// <summary>A header or query parameter the edge injects when forwarding.</summary>
public readonly record struct NameValue(string Name, string Value);
