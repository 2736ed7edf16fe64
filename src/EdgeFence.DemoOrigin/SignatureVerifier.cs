using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeFence.DemoOrigin;

/// <summary>
/// Checks <c>X-EdgeFence-Signature: t=&lt;unix seconds&gt;,v1=&lt;lowercase hex HMAC-SHA256&gt;</c> the way any
/// origin should: over the canonical string
/// <c>"v1\n{t}\n{METHOD}\n{raw request target}\n{token id}\n{customer}\n{plan id}\n{request id}"</c>,
/// with the site's HMAC secret (UTF-8), a timestamp tolerance, and a constant-time comparison.
/// Written from the documented format, not from EdgeFence.Core, so it doubles as a check of the docs.
/// </summary>
public sealed class SignatureVerifier
{
    public const string SignatureHeader = "X-EdgeFence-Signature";
    public const string RequestIdHeader = "X-EdgeFence-Request-Id";
    public const string CustomerHeader = "X-EdgeFence-Customer";
    public const string PlanHeader = "X-EdgeFence-Plan";
    public const string TokenIdHeader = "X-EdgeFence-Token-Id";

    /// <summary>Signatures older (or newer) than this are refused: a captured request cannot be replayed later.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    private readonly byte[] _secret;
    private readonly TimeProvider _time;

    public SignatureVerifier(byte[] secret, TimeProvider time)
    {
        _secret = secret;
        _time = time;
    }

    /// <summary>True when the request carries a valid, fresh signature for exactly what this origin received.</summary>
    public bool Verify(HttpContext context)
    {
        if (_secret.Length == 0)
        {
            return false;
        }

        var headers = context.Request.Headers;
        var signature = headers[SignatureHeader];
        if (signature.Count != 1 || !TryParse(signature[0], out var timestamp, out var mac))
        {
            return false;
        }

        if (Math.Abs(_time.GetUtcNow().ToUnixTimeSeconds() - timestamp) > (long)Tolerance.TotalSeconds)
        {
            return false;
        }

        // The raw target is the request line's bytes; HttpRequest.Path is already decoded and would
        // let a different spelling of the path verify.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var canonical = string.Join(
            '\n',
            "v1",
            timestamp.ToString(CultureInfo.InvariantCulture),
            context.Request.Method,
            rawTarget,
            headers[TokenIdHeader].ToString(),
            headers[CustomerHeader].ToString(),
            headers[PlanHeader].ToString(),
            headers[RequestIdHeader].ToString());
        var expected = HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(canonical));
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    /// <summary>Parses <c>t=&lt;digits&gt;,v1=&lt;64 lowercase hex digits&gt;</c>.</summary>
    private static bool TryParse(string? value, out long timestamp, out byte[] mac)
    {
        timestamp = 0;
        mac = [];
        if (value is null || !value.StartsWith("t=", StringComparison.Ordinal))
        {
            return false;
        }

        var comma = value.IndexOf(",v1=", StringComparison.Ordinal);
        if (comma < 3 || !long.TryParse(value.AsSpan(2, comma - 2), NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
        {
            return false;
        }

        var hex = value.AsSpan(comma + 4);
        if (hex.Length != 64)
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        mac = Convert.FromHexString(hex);
        return true;
    }
}
