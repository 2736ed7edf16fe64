namespace EdgeFence.Core.Model;

/// <summary>Billing period of a quota. Periods are calendar-aligned in UTC.</summary>
public enum QuotaPeriod : byte
{
    Hour = 0,
    Day = 1,
    Week = 2,
    Month = 3,
    Year = 4,
}
