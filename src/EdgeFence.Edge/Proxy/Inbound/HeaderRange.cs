namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>Where one header's name and value (optional whitespace trimmed) sit in the request head's bytes.</summary>
internal readonly record struct HeaderRange(int NameStart, int NameLength, int ValueStart, int ValueLength);
