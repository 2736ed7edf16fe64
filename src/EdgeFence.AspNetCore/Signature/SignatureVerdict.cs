namespace EdgeFence.AspNetCore.Signature;

/// <summary>Outcome of checking one request's signature; every refusal has its own value so the 401 can say which check failed.</summary>
internal enum SignatureVerdict
{
    Valid,
    Missing,
    Malformed,
    Expired,
    Mismatch,
    MissingRequestId,
    Replayed,
}
