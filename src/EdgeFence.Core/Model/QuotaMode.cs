namespace EdgeFence.Core.Model;

/// <summary>What happens when a quota is used up.</summary>
public enum QuotaMode : byte
{
    /// <summary>Block: 429 until the period resets.</summary>
    Hard = 0,

    /// <summary>Allow and count the overage, which is billed.</summary>
    Soft = 1,
}
