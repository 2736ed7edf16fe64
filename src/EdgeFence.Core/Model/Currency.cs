using System.Collections.Frozen;

namespace EdgeFence.Core.Model;

/// <summary>The currencies a price or a balance may be in: ISO 4217 codes, and USDC.</summary>
public static class Currency
{
    /// <summary>Largest price per call or deposit, in micro-units: 10^15 (a thousand million units), so sums of many stay far from overflow.</summary>
    public const long MaxAmountMicros = 1_000_000_000_000_000;

    // The active ISO 4217 codes, plus USDC for balances kept in the stablecoin x402 pays with.
    private static readonly FrozenSet<string> Known = FrozenSet.ToFrozenSet(
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF
        CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG
        HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
        MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
        RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
        USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG USDC
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    /// <summary>True for an upper-case ISO 4217 code (or USDC).</summary>
    public static bool IsKnown(string? code) => code is not null && Known.Contains(code);
}
