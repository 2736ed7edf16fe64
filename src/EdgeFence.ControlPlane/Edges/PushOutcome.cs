namespace EdgeFence.ControlPlane.Edges;

/// <summary>What one push attempt gave: whether the edge now serves our version (or newer), which version it serves, and a line for operators.</summary>
internal readonly record struct PushOutcome(bool Success, long? EdgeVersion, string Result);
