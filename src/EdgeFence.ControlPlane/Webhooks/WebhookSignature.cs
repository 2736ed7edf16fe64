using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.ControlPlane.Webhooks;

/// <summary>
/// The signature of an alert delivery, in Stripe's scheme so receivers can reuse their code:
/// <c>EdgeFence-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(key = UTF-8 of the whole secret, message = t + "." + raw body)&gt;</c>.
/// A receiver recomputes v1 over the raw body it received, compares in constant time, and refuses a <c>t</c> older
/// than its tolerance (300 s is usual). The README's test vector is checked by <c>WebhookSignatureTests</c>.
/// </summary>
internal static class WebhookSignature
{
    public const string HeaderName = "EdgeFence-Signature";

    public static string Header(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var message = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t, message);
        message[t.Length] = (byte)'.';
        body.CopyTo(message.AsSpan(t.Length + 1));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return "t=" + t + ",v1=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>True when <paramref name="header"/> has a v1 matching the body and a t within <paramref name="tolerance"/> of now.</summary>
    public static bool Verify(string secret, string header, ReadOnlySpan<byte> body, long nowUnixSeconds, TimeSpan tolerance)
    {
        long? t = null;
        var candidates = new List<string>();
        foreach (var part in header.Split(','))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal) && long.TryParse(part.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var time))
            {
                t = time;
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal))
            {
                candidates.Add(part[3..]);
            }
        }

        if (t is not { } at || Math.Abs(nowUnixSeconds - at) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Header(secret, at, body).Split(",v1=")[1]);
        var ok = false;
        foreach (var candidate in candidates)
        {
            ok |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate));
        }

        return ok;
    }
}
