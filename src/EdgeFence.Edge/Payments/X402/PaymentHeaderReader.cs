using System.Buffers;
using System.Text.Json;
using EdgeFence.Edge.Enforcement;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// Reads and checks an x402 payment header against the resource's <see cref="X402Terms"/> before any
/// facilitator is asked: strict base64, strict JSON (one pass of <see cref="Utf8JsonReader"/>, no
/// DOM), every field the edge relies on present once, and equal to what was offered.
/// </summary>
internal static class PaymentHeaderReader
{
    /// <summary>
    /// Longest header accepted, in characters. Threat: the edge decodes, parses and forwards the header
    /// to the facilitator on every paid call, so an unbounded one lets a client make the edge and the
    /// facilitator do work (and hold memory) in proportion to what it sends. A reference payment is
    /// about 1.4 KB; 8 KiB leaves room for extensions.
    /// </summary>
    public const int MaxHeaderChars = 8 * 1024;

    /// <summary>Nesting a payment needs is 4 (payload.authorization.*); extensions get a little more. Threat: deep-nesting CPU.</summary>
    private const int MaxDepth = 8;

    /// <summary>Longest signature accepted in hex digits: an ECDSA signature is 130; smart-wallet (ERC-1271/6492) ones are longer.</summary>
    private const int MaxSignatureHex = 4096;

    /// <summary>
    /// Seconds a signed authorization may outlive the offer's timeout (clock skew between client,
    /// edge and chain). Threat: a payment valid for years would pin its replay-guard entry for years.
    /// </summary>
    public const int ValiditySlackSeconds = 300;

    /// <summary>Reads <paramref name="header"/>; on failure the reason and a detail for the problem body (never the header itself).</summary>
    public static DenyReason TryRead(string header, X402Terms terms, long nowUnix, out PaymentPayload? payment, out string? detail)
    {
        payment = null;

        // :: Step 1: size, then strict standard base64 (Convert tolerates whitespace; the protocol has none).
        if (header.Length > MaxHeaderChars)
        {
            detail = $"the payment header is longer than {MaxHeaderChars} characters";
            return DenyReason.PaymentInvalid;
        }

        if (header.Length == 0 || header.Length % 4 != 0 || header.AsSpan().ContainsAny(" \t\r\n"))
        {
            detail = "the payment header is not standard base64";
            return DenyReason.PaymentInvalid;
        }

        var json = new byte[header.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(header, json, out var length))
        {
            detail = "the payment header is not standard base64";
            return DenyReason.PaymentInvalid;
        }

        // :: Step 2: strict JSON, each field we check read once (a duplicate could make the facilitator see another value than ours).
        var fields = default(Fields);
        try
        {
            var reader = new Utf8JsonReader(json.AsSpan(0, length), new JsonReaderOptions { MaxDepth = MaxDepth });
            ReadTop(ref reader, ref fields);
            if (reader.Read())
            {
                throw new JsonException("data after the payment object");
            }
        }
        catch (JsonException ex)
        {
            detail = "the payment header is not a valid x402 payment: " + ex.Message;
            return DenyReason.PaymentInvalid;
        }

        // :: Step 3: the shape of each value.
        if (fields.Version is not (1 or 2))
        {
            detail = "x402Version must be 1 or 2";
            return DenyReason.PaymentInvalid;
        }

        if (!IsAddress(fields.From) || !IsAddress(fields.To) || !IsHex(fields.Nonce, 64) || !IsDecimal(fields.Value)
            || !TryUnix(fields.ValidAfter, out var validAfter) || !TryUnix(fields.ValidBefore, out var validBefore)
            || fields.Signature is not { Length: > 2 and <= MaxSignatureHex + 2 } signature || !IsHex(signature, signature.Length - 2))
        {
            detail = "payload.authorization needs from, to (addresses), value, validAfter, validBefore (decimal strings), nonce (32 bytes hex) and payload.signature (hex)";
            return DenyReason.PaymentInvalid;
        }

        // :: Step 4: what was offered. v2 carries the requirement it accepted; v1 names scheme and network at the top.
        var network = fields.Version == 2 ? fields.AcceptedNetwork : fields.Network;
        var scheme = fields.Version == 2 ? fields.AcceptedScheme : fields.Scheme;
        var expectedNetwork = fields.Version == 2 ? terms.Network : terms.V1Network;
        if (scheme != X402Terms.Scheme)
        {
            detail = $"only the \"{X402Terms.Scheme}\" scheme is accepted";
            return DenyReason.PaymentMismatch;
        }

        if (expectedNetwork is null || network != expectedNetwork)
        {
            detail = expectedNetwork is null ? $"network {terms.Network} has no x402 v1 name: pay with x402 v2" : $"the payment is for network {network}, this resource is paid on {expectedNetwork}";
            return DenyReason.PaymentMismatch;
        }

        if (fields.Version == 2)
        {
            if (!fields.SawAccepted || fields.AcceptedAmount != terms.Amount || !SameAddress(fields.AcceptedAsset, terms.Asset) || !SameAddress(fields.AcceptedPayTo, terms.PayTo)
                || fields.AcceptedMaxTimeout != terms.MaxTimeoutSeconds || fields.ExtraName != terms.AssetName || fields.ExtraVersion != terms.AssetVersion)
            {
                detail = "accepted does not match this resource's payment requirements (amount, asset, payTo, maxTimeoutSeconds, extra.name, extra.version)";
                return DenyReason.PaymentMismatch;
            }
        }

        if (!SameAddress(fields.To, terms.PayTo))
        {
            detail = "payload.authorization.to is not this resource's payTo";
            return DenyReason.PaymentMismatch;
        }

        if (fields.Value != terms.Amount)
        {
            detail = $"payload.authorization.value is {fields.Value}, this resource costs {terms.Amount}";
            return DenyReason.PaymentMismatch;
        }

        // :: Step 5: time. The facilitator checks too; failing here spares it the call.
        if (validBefore <= nowUnix || validAfter > nowUnix)
        {
            detail = validBefore <= nowUnix ? "the payment authorization has expired (validBefore)" : "the payment authorization is not valid yet (validAfter)";
            return DenyReason.PaymentExpired;
        }

        if (validBefore > nowUnix + terms.MaxTimeoutSeconds + ValiditySlackSeconds)
        {
            detail = $"validBefore may be at most maxTimeoutSeconds ({terms.MaxTimeoutSeconds}) from now";
            return DenyReason.PaymentMismatch;
        }

        payment = new PaymentPayload
        {
            Version = fields.Version,
            Network = network,
            From = fields.From!,
            To = fields.To!,
            Value = fields.Value!,
            ValidAfter = validAfter,
            ValidBefore = validBefore,
            Nonce = fields.Nonce!,
            Json = json.AsMemory(0, length),
        };
        detail = null;
        return DenyReason.None;
    }

    private static void ReadTop(ref Utf8JsonReader r, ref Fields f)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var seen = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("x402Version"u8))
            {
                Once(ref seen, 1, "x402Version");
                r.Read();
                f.Version = r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var v) ? v : throw new JsonException("x402Version must be a number");
            }
            else if (r.ValueTextEquals("scheme"u8))
            {
                Once(ref seen, 2, "scheme");
                f.Scheme = ReadString(ref r);
            }
            else if (r.ValueTextEquals("network"u8))
            {
                Once(ref seen, 4, "network");
                f.Network = ReadString(ref r);
            }
            else if (r.ValueTextEquals("payload"u8))
            {
                Once(ref seen, 8, "payload");
                r.Read();
                ReadPayload(ref r, ref f);
            }
            else if (r.ValueTextEquals("accepted"u8))
            {
                Once(ref seen, 16, "accepted");
                r.Read();
                ReadAccepted(ref r, ref f);
                f.SawAccepted = true;
            }
            else
            {
                Skip(ref r);
            }
        }
    }

    private static void ReadPayload(ref Utf8JsonReader r, ref Fields f)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var seen = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("signature"u8))
            {
                Once(ref seen, 1, "payload.signature");
                f.Signature = ReadString(ref r);
            }
            else if (r.ValueTextEquals("authorization"u8))
            {
                Once(ref seen, 2, "payload.authorization");
                r.Read();
                ReadAuthorization(ref r, ref f);
            }
            else
            {
                Skip(ref r);
            }
        }
    }

    private static void ReadAuthorization(ref Utf8JsonReader r, ref Fields f)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var seen = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("from"u8))
            {
                Once(ref seen, 1, "from");
                f.From = ReadString(ref r);
            }
            else if (r.ValueTextEquals("to"u8))
            {
                Once(ref seen, 2, "to");
                f.To = ReadString(ref r);
            }
            else if (r.ValueTextEquals("value"u8))
            {
                Once(ref seen, 4, "value");
                f.Value = ReadString(ref r);
            }
            else if (r.ValueTextEquals("validAfter"u8))
            {
                Once(ref seen, 8, "validAfter");
                f.ValidAfter = ReadString(ref r);
            }
            else if (r.ValueTextEquals("validBefore"u8))
            {
                Once(ref seen, 16, "validBefore");
                f.ValidBefore = ReadString(ref r);
            }
            else if (r.ValueTextEquals("nonce"u8))
            {
                Once(ref seen, 32, "nonce");
                f.Nonce = ReadString(ref r);
            }
            else
            {
                Skip(ref r);
            }
        }
    }

    private static void ReadAccepted(ref Utf8JsonReader r, ref Fields f)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var seen = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("scheme"u8))
            {
                Once(ref seen, 1, "accepted.scheme");
                f.AcceptedScheme = ReadString(ref r);
            }
            else if (r.ValueTextEquals("network"u8))
            {
                Once(ref seen, 2, "accepted.network");
                f.AcceptedNetwork = ReadString(ref r);
            }
            else if (r.ValueTextEquals("amount"u8))
            {
                Once(ref seen, 4, "accepted.amount");
                f.AcceptedAmount = ReadString(ref r);
            }
            else if (r.ValueTextEquals("asset"u8))
            {
                Once(ref seen, 8, "accepted.asset");
                f.AcceptedAsset = ReadString(ref r);
            }
            else if (r.ValueTextEquals("payTo"u8))
            {
                Once(ref seen, 16, "accepted.payTo");
                f.AcceptedPayTo = ReadString(ref r);
            }
            else if (r.ValueTextEquals("maxTimeoutSeconds"u8))
            {
                Once(ref seen, 32, "accepted.maxTimeoutSeconds");
                r.Read();
                f.AcceptedMaxTimeout = r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var t) ? t : throw new JsonException("accepted.maxTimeoutSeconds must be a number");
            }
            else if (r.ValueTextEquals("extra"u8))
            {
                Once(ref seen, 64, "accepted.extra");
                r.Read();
                ReadExtra(ref r, ref f);
            }
            else
            {
                Skip(ref r);
            }
        }
    }

    private static void ReadExtra(ref Utf8JsonReader r, ref Fields f)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref r, JsonTokenType.StartObject);
        var seen = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("name"u8))
            {
                Once(ref seen, 1, "accepted.extra.name");
                f.ExtraName = ReadString(ref r);
            }
            else if (r.ValueTextEquals("version"u8))
            {
                Once(ref seen, 2, "accepted.extra.version");
                f.ExtraVersion = ReadString(ref r);
            }
            else
            {
                Skip(ref r);
            }
        }
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader r)
    {
        if (!r.Read())
        {
            throw new JsonException("the JSON ends early");
        }

        return r.TokenType switch
        {
            JsonTokenType.PropertyName => true,
            JsonTokenType.EndObject => false,
            _ => throw new JsonException("expected a property"),
        };
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (r.TokenType == JsonTokenType.None)
        {
            r.Read();
        }

        if (r.TokenType != type)
        {
            throw new JsonException(type == JsonTokenType.StartObject ? "expected an object" : $"expected {type}");
        }
    }

    private static string ReadString(ref Utf8JsonReader r)
    {
        r.Read();
        return r.TokenType == JsonTokenType.String ? r.GetString()! : throw new JsonException("expected a string");
    }

    private static void Skip(ref Utf8JsonReader r)
    {
        r.Read();
        r.Skip();
    }

    private static void Once(ref int seen, int bit, string name)
    {
        if ((seen & bit) != 0)
        {
            throw new JsonException($"{name} appears twice");
        }

        seen |= bit;
    }

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private static bool IsHex(string? value, int digits)
        => value is not null && value.Length == digits + 2 && value.StartsWith("0x", StringComparison.Ordinal) && !value.AsSpan(2).ContainsAnyExcept(HexDigits);

    private static bool IsAddress(string? value) => IsHex(value, 40);

    /// <summary>A uint256 in decimal: digits only, no leading zero, at most 78 digits.</summary>
    private static bool IsDecimal(string? value)
        => value is { Length: > 0 and <= 78 } && !value.AsSpan().ContainsAnyExceptInRange('0', '9') && (value.Length == 1 || value[0] != '0');

    private static bool TryUnix(string? value, out long seconds)
    {
        seconds = 0;
        return value is { Length: > 0 and <= 18 } && !value.AsSpan().ContainsAnyExceptInRange('0', '9') && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seconds);
    }

    /// <summary>EVM addresses compare without case (EIP-55 checksums are mixed case).</summary>
    private static bool SameAddress(string? a, string b) => a is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private struct Fields
    {
        public int Version;
        public string? Scheme, Network;
        public string? From, To, Value, ValidAfter, ValidBefore, Nonce, Signature;
        public bool SawAccepted;
        public string? AcceptedScheme, AcceptedNetwork, AcceptedAmount, AcceptedAsset, AcceptedPayTo, ExtraName, ExtraVersion;
        public int AcceptedMaxTimeout;
    }
}
