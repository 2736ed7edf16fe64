using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.AspNetCore.Signature;

/// <summary>
/// Checks <c>X-EdgeFence-Signature: t=&lt;unix seconds&gt;,v2=&lt;64 lowercase hex&gt;</c>: HMAC-SHA256 over
/// the canonical string <c>v2 LF t LF METHOD LF raw-target LF token-id LF customer LF plan-id LF request-id LF
/// charged</c> (UTF-8, no trailing LF; charged is the <c>X-EdgeFence-Charged</c> value or empty), compared in
/// constant time, timestamp within a tolerance. Version 1 (<c>,v1=</c>, no charged field, <c>v1</c> first),
/// from edges before charges were signed, is still accepted, but never together with a charge.
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
        string charged,
        out long timestamp)
    {
        if (string.IsNullOrEmpty(header))
        {
            timestamp = 0;
            return SignatureVerdict.Missing;
        }

        Span<byte> presented = stackalloc byte[MacBytes];
        if (!TryParse(header, out timestamp, out var version, presented))
        {
            return SignatureVerdict.Malformed;
        }

        // A version 1 signature covers no charge: a charge header beside it was not signed by the edge.
        if (version == 1 && charged.Length != 0)
        {
            return SignatureVerdict.Mismatch;
        }

        // Checked before the MAC so a stale request costs no HMAC; timestamp is at most long.MaxValue
        // and now is positive, so the subtraction cannot overflow.
        if (Math.Abs(nowUnixSeconds - timestamp) > toleranceSeconds)
        {
            return SignatureVerdict.Expired;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        ComputeMac(key, version, timestamp, method, rawTarget, tokenId, customer, plan, requestId, charged, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? SignatureVerdict.Valid : SignatureVerdict.Mismatch;
    }

    /// <summary>HMAC-SHA256 of the canonical string, which is encoded into one pooled buffer.</summary>
    public static void ComputeMac(ReadOnlySpan<byte> key, int version, long timestamp, string method, string rawTarget, string tokenId, string customer, string plan, string requestId, string charged, Span<byte> mac)
    {
        var utf8 = Encoding.UTF8;

        // "v2" + 8 separators + at most 20 digits of a long, then the fields' exact UTF-8 lengths.
        var length = 2 + 8 + 20 + utf8.GetByteCount(method) + utf8.GetByteCount(rawTarget) + utf8.GetByteCount(tokenId)
            + utf8.GetByteCount(customer) + utf8.GetByteCount(plan) + utf8.GetByteCount(requestId) + utf8.GetByteCount(charged);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var buffer = rented.AsSpan();
            (version == 1 ? "v1\n"u8 : "v2\n"u8).CopyTo(buffer);
            var at = 3;
            timestamp.TryFormat(buffer[at..], out var digits, provider: CultureInfo.InvariantCulture);
            at += digits;
            at += AppendField(buffer[at..], method);
            at += AppendField(buffer[at..], rawTarget);
            at += AppendField(buffer[at..], tokenId);
            at += AppendField(buffer[at..], customer);
            at += AppendField(buffer[at..], plan);
            at += AppendField(buffer[at..], requestId);
            if (version != 1)
            {
                at += AppendField(buffer[at..], charged);
            }

            HMACSHA256.HashData(key, buffer[..at], mac);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Parses <c>t=&lt;digits&gt;,v2=&lt;64 lowercase hex digits&gt;</c> (or <c>,v1=</c>) into the timestamp, the version and the MAC bytes.</summary>
    public static bool TryParse(string header, out long timestamp, out int version, Span<byte> mac)
    {
        timestamp = 0;
        version = 0;
        if (!header.StartsWith("t=", StringComparison.Ordinal))
        {
            return false;
        }

        var comma = header.IndexOf(",v", StringComparison.Ordinal);
        if (comma < 3 || comma + 4 > header.Length || header[comma + 3] != '='
            || !long.TryParse(header.AsSpan(2, comma - 2), NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
        {
            return false;
        }

        version = header[comma + 2] switch { '1' => 1, '2' => 2, _ => 0 };
        if (version == 0)
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
