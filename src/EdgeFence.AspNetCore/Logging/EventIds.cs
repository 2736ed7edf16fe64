namespace EdgeFence.AspNetCore.Logging;

/// <summary>Every event id the SDK logs, in one list so ids never collide.</summary>
internal static class EventIds
{
    public const int SignatureRefused = 1;

    public const int AuthorizeRefusedByEdge = 100;
    public const int AmbiguousCredentials = 101;
    public const int EdgeFailure = 102;
}
