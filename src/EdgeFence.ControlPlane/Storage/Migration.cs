namespace EdgeFence.ControlPlane.Storage;

/// <summary>One schema step. Versions only grow; a released migration is never edited, a new one is added.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
