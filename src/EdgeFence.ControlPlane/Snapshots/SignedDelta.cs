namespace EdgeFence.ControlPlane.Snapshots;

/// <summary>The MessagePack bytes of one delta (from <see cref="Version"/> - 1 to <see cref="Version"/>) and their signature.</summary>
internal sealed record SignedDelta(long Version, long CreatedAtUnixMs, byte[] Bytes, byte[] Signature)
{
    public string SignatureBase64 { get; } = Convert.ToBase64String(Signature);
}
