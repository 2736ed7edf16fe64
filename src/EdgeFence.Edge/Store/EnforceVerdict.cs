namespace EdgeFence.Edge.Store;

internal enum EnforceVerdict : byte
{
    Admitted = 0,
    RateLimited = 1,
    QuotaExhausted = 2,
}
