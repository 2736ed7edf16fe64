using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.AspNetCore.Signature;

/// <summary>
/// Checks <c>X-EdgeFence-Signature: t=&lt;unix seconds&gt;,v1=&lt;64 lowercase hex&gt;</c>: HMAC-SHA256 over
/// the canonical string <c>v1 LF t LF METHOD LF raw-target LF token-id LF customer LF plan-id LF request-id</c>
/// (UTF-8, no trailing LF), compared in constant time, timestamp within a tolerance.
/// <para>
/// Written from the documented format rather than by referencing EdgeFence.Core's <c>RequestSigner</c>,
/// on purpose: Core carries the snapshot model and MessagePack, which an origin has no use for, and
/// would have to become a second package versioned in lockstep. The canonical string is a wire
/// contract that Python and Node origins implement from the README anyway; a second C#
/// implementation checked against the shared test vector keeps that contract and its documentation
/// honest, where a shared one would hide a drift between code and docs.
/// </para>
/// </summary>
internal static class SignatureVerifier
{
    /// <summary>HMAC-SHA256 output size; the header carries it as 64 hex digits.</summary>
    private const int MacBytes = 32;

    /// <summary>
    /// Checks the signature over the given request fields. <paramref name="timestamp"/> is the signed
    /// time when the header parsed (also on Expired and Mismatch), else 0.
    /// </summary>
    public static SignatureVerdict Verify(
        ReadOnlySpan<byte> key,
        string? header,
        long nowUnixSeconds,
        long toleranceSeconds,
        string method,
        string rawTarget,
        string tokenId,
        string customer,
        string plan,
        string requestId,
        out long timestamp)
    {
        if (string.IsNullOrEmpty(header))
        {
            timestamp = 0;
            return SignatureVerdict.Missing;
        }

        Span<byte> presented = stackalloc byte[MacBytes];
        if (!TryParse(header, out timestamp, presented))
        {
            return SignatureVerdict.Malformed;
        }

        // Checked before the MAC so a stale request costs no HMAC; timestamp is at most long.MaxValue
        // and now is positive, so the subtraction cannot overflow.
        if (Math.Abs(nowUnixSeconds - timestamp) > toleranceSeconds)
        {
            return SignatureVerdict.Expired;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        ComputeMac(key, timestamp, method, rawTarget, tokenId, customer, plan, requestId, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? SignatureVerdict.Valid : SignatureVerdict.Mismatch;
    }

    /// <summary>HMAC-SHA256 of the canonical string, which is encoded into one pooled buffer.</summary>
    public static void ComputeMac(ReadOnlySpan<byte> key, long timestamp, string method, string rawTarget, string tokenId, string customer, string plan, string requestId, Span<byte> mac)
    {
        var utf8 = Encoding.UTF8;

        // "v1" + 7 separators + at most 20 digits of a long, then the fields' exact UTF-8 lengths.
        var length = 2 + 7 + 20 + utf8.GetByteCount(method) + utf8.GetByteCount(rawTarget) + utf8.GetByteCount(tokenId)
            + utf8.GetByteCount(customer) + utf8.GetByteCount(plan) + utf8.GetByteCount(requestId);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var buffer = rented.AsSpan();
            "v1\n"u8.CopyTo(buffer);
            var at = 3;
            timestamp.TryFormat(buffer[at..], out var digits, provider: CultureInfo.InvariantCulture);
            at += digits;
            at += AppendField(buffer[at..], method);
            at += AppendField(buffer[at..], rawTarget);
            at += AppendField(buffer[at..], tokenId);
            at += AppendField(buffer[at..], customer);
            at += AppendField(buffer[at..], plan);
            at += AppendField(buffer[at..], requestId);
            HMACSHA256.HashData(key, buffer[..at], mac);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Parses <c>t=&lt;digits&gt;,v1=&lt;64 lowercase hex digits&gt;</c> into the timestamp and the MAC bytes.</summary>
    public static bool TryParse(string header, out long timestamp, Span<byte> mac)
    {
        timestamp = 0;
        if (!header.StartsWith("t=", StringComparison.Ordinal))
        {
            return false;
        }

        var comma = header.IndexOf(",v1=", StringComparison.Ordinal);
        if (comma < 3 || !long.TryParse(header.AsSpan(2, comma - 2), NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
        {
            return false;
        }

        var hex = header.AsSpan(comma + 4);
        if (hex.Length != MacBytes * 2)
        {
            return false;
        }

        // The edge writes lowercase only; accepting other spellings would give one MAC several valid headers.
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return Convert.FromHexString(hex, mac, out _, out _) == OperationStatus.Done;
    }

    private static int AppendField(Span<byte> destination, string field)
    {
        destination[0] = (byte)'\n';
        return 1 + Encoding.UTF8.GetBytes(field, destination[1..]);
    }
}
