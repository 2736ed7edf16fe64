namespace EdgeFence.ControlPlane.Edges;

/// <summary>
/// What one push attempt gave: whether the edge now serves our version (or newer), which version it serves, and a line
/// for operators. <see cref="FallBack"/>: a delta the edge did not take (another base, or refused): send a full snapshot.
/// </summary>
internal readonly record struct PushOutcome(bool Success, long? EdgeVersion, string Result, bool FallBack = false);
