namespace EdgeFence.ControlPlane.Snapshots;

/// <summary>The MessagePack bytes of one snapshot and their ECDSA P-256 signature: what edges are sent.</summary>
internal sealed record SignedSnapshot(long Version, long CreatedAtUnixMs, byte[] Bytes, byte[] Signature)
{
    public string SignatureBase64 { get; } = Convert.ToBase64String(Signature);
}
