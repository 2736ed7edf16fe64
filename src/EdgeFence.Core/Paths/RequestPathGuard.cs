namespace EdgeFence.Core.Paths;

/// <summary>
/// Rejects request-targets whose path could mean different things to the edge and to the origin.
/// </summary>
/// <remarks>
/// The edge matches the decoded path against paid resources, while the origin (or a proxy in
/// between) decodes and normalizes the same bytes by its own rules. Wherever those rules differ, a
/// client could spell a paid path so the edge sees a free one. Rather than guess each origin's
/// normalization, the guard accepts only spellings that decode the same way everywhere and rejects
/// the rest with 400. It reads the raw target because the server's own parsed path has already lost
/// the distinctions that matter (Kestrel decodes and resolves dot segments before we see it).
/// One pass, no allocation.
/// </remarks>
public static class RequestPathGuard
{
    /// <summary>Checks the request-target exactly as the client sent it on the request line.</summary>
    public static PathVerdict Check(ReadOnlySpan<char> rawTarget)
    {
        if (rawTarget.IsEmpty)
        {
            return PathVerdict.Invalid;
        }

        if (rawTarget[0] == '/')
        {
            return CheckPathAndQuery(rawTarget);
        }

        // Asterisk-form ("*", for OPTIONS) names no resource and authority-form (CONNECT) has no
        // path; neither is something the edge can enforce or forward. Only absolute-form remains.
        var verdict = SkipAbsoluteFormPrefix(rawTarget, out var pathStart);
        return verdict != PathVerdict.Ok ? verdict : CheckPathAndQuery(rawTarget[pathStart..]);
    }

    /// <summary>
    /// Validates "http://authority" or "https://authority" and finds where the path begins.
    /// </summary>
    private static PathVerdict SkipAbsoluteFormPrefix(ReadOnlySpan<char> target, out int pathStart)
    {
        pathStart = 0;
        int authorityStart;
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            authorityStart = 7;
        }
        else if (target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            authorityStart = 8;
        }
        else
        {
            // Other schemes have other path rules; the edge only proxies HTTP.
            return PathVerdict.Invalid;
        }

        var i = authorityStart;
        for (; i < target.Length; i++)
        {
            var c = target[i];
            if (c is '/' or '?')
            {
                break;
            }

            if (c == '\\')
            {
                // WHATWG URL parsers treat '\' as '/' in http(s) URLs, so "http://host\paid" is the
                // path "/paid" to some components and part of the authority to others.
                return PathVerdict.Ambiguous;
            }

            if (!IsAuthorityChar(c))
            {
                return PathVerdict.Invalid;
            }
        }

        if (i == authorityStart)
        {
            return PathVerdict.Invalid;
        }

        // An empty path in absolute-form means "/" (RFC 9112 section 3.2.2), which the path check
        // accepts, so the remaining "?query" or "" can be checked as is.
        pathStart = i;
        return PathVerdict.Ok;
    }

    /// <summary>
    /// reg-name, IP literal and port characters. Not '@': userinfo is forbidden in http(s) targets
    /// (RFC 9110 section 4.2.4) and "http://paid@free/" style targets exist to confuse parsers. Not
    /// '%': no legitimate request host needs an escape, and decoding one is another parser split.
    /// </summary>
    private static bool IsAuthorityChar(char c) =>
        char.IsAsciiLetterOrDigit(c) ||
        c is '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '[' or ']';

    /// <summary>Checks an origin-form path (starting with '/', or empty) followed by an optional query.</summary>
    private static PathVerdict CheckPathAndQuery(ReadOnlySpan<char> target)
    {
        // Decoded characters in the current segment, and how many of them are dots (raw or %2E).
        var segmentLength = 0;
        var segmentDots = 0;

        // Open UTF-8 sequence spelled in %XX escapes: continuation bytes still expected and the
        // range the next one must fall in (narrower than 80..BF right after some lead bytes).
        var utf8Pending = 0;
        var utf8Low = 0x80;
        var utf8High = 0xBF;

        var i = 0;
        for (; i < target.Length; i++)
        {
            var c = target[i];
            if (c == '?')
            {
                break;
            }

            if (c == '%')
            {
                if (i + 2 >= target.Length || !TryParseHexByte(target[i + 1], target[i + 2], out var b))
                {
                    // "%zz", "%4": servers variously reject, keep literally or half-decode it.
                    return PathVerdict.Invalid;
                }

                i += 2;
                if (utf8Pending > 0)
                {
                    if (b < utf8Low || b > utf8High)
                    {
                        return PathVerdict.Ambiguous;
                    }

                    utf8Pending--;
                    utf8Low = 0x80;
                    utf8High = 0xBF;
                    continue;
                }

                if (b >= 0x80)
                {
                    // Only well-formed, shortest-form UTF-8 is accepted. Overlong forms (%C0%AE is a
                    // '.', %C0%AF a '/'), encoded surrogates and truncated sequences are decoded to
                    // the character by some servers, to U+FFFD by others, or kept as bytes: the old
                    // IIS traversal trick.
                    if (!TryStartUtf8Sequence(b, out utf8Pending, out utf8Low, out utf8High))
                    {
                        return PathVerdict.Ambiguous;
                    }

                    segmentLength++;
                    continue;
                }

                switch (b)
                {
                    case (byte)'/':
                    case (byte)'\\':
                        // %2F splits a segment for origins that decode before routing and not for
                        // those that route first; %5C likewise, with '\' read as '/' on Windows
                        // origins and by URL parsers. Either way "/paid%2Fx" can route as "/paid/x".
                        return PathVerdict.Ambiguous;
                    case (byte)'%':
                        // %25 decodes to '%'; a second decoding pass anywhere downstream turns
                        // "%252F" into '/'. Double-encoded paths have no legitimate use in an API.
                        return PathVerdict.Ambiguous;
                    case (byte)';':
                        // An encoded ';' becomes a path-parameter delimiter for origins that strip
                        // parameters after decoding.
                        return PathVerdict.Ambiguous;
                    case < 0x20 or 0x7F:
                        // %00 truncates paths in C-based servers and file systems; other encoded
                        // controls (CR, LF, TAB) are trimmed, rejected or smuggled into logs and
                        // headers differently by each component.
                        return PathVerdict.Ambiguous;
                    case (byte)'.':
                        segmentDots++;
                        break;
                }

                segmentLength++;
                continue;
            }

            if (utf8Pending > 0)
            {
                // A UTF-8 sequence cut short by a raw character or a '/'.
                return PathVerdict.Ambiguous;
            }

            if (c == '/')
            {
                if (i > 0 && segmentLength == 0)
                {
                    // "//" is collapsed by some origins and proxies (nginx merge_slashes) and kept by
                    // others, so "/paid//x" and "//paid" may reach "/paid/x" and "/paid".
                    return PathVerdict.Ambiguous;
                }

                if (IsDotSegment(segmentLength, segmentDots))
                {
                    return PathVerdict.Ambiguous;
                }

                segmentLength = 0;
                segmentDots = 0;
                continue;
            }

            if (c <= ' ' || c >= 0x7F)
            {
                // Raw controls, space, DEL and non-ASCII are not legal in a request-target
                // (RFC 3986); a server that accepts them has already guessed at their meaning.
                return PathVerdict.Invalid;
            }

            switch (c)
            {
                case '#':
                    // A fragment is never sent to a server; one in a request-target is malformed.
                    return PathVerdict.Invalid;
                case '\\':
                    // Windows origins, IIS and WHATWG URL parsers treat '\' as '/': "/free\..\paid".
                    return PathVerdict.Ambiguous;
                case ';':
                    // Path parameters: Tomcat and Spring strip ";..." from each segment before
                    // routing, so "/paid;x" is "/paid" there but an unknown path here, and
                    // "/free;/../paid" resolves differently on each side.
                    return PathVerdict.Ambiguous;
                case '.':
                    segmentDots++;
                    break;
            }

            segmentLength++;
        }

        if (utf8Pending > 0 || IsDotSegment(segmentLength, segmentDots))
        {
            return PathVerdict.Ambiguous;
        }

        return CheckQuery(target[i..]);
    }

    /// <summary>
    /// "." and ".." are resolved by the origin (RFC 3986 section 5.2.4), possibly after decoding, so
    /// "/free/../paid" and "/free/%2e%2e/paid" reach "/paid". Segments of three or more dots are
    /// refused too: Windows path handling trims trailing dots, turning "..." into "..".
    /// </summary>
    private static bool IsDotSegment(int segmentLength, int segmentDots) =>
        segmentLength > 0 && segmentDots == segmentLength;

    /// <summary>
    /// The query is the origin's business and is forwarded as sent; only what makes the whole target
    /// malformed is refused.
    /// </summary>
    private static PathVerdict CheckQuery(ReadOnlySpan<char> query)
    {
        for (var i = 0; i < query.Length; i++)
        {
            var c = query[i];
            if (c == '#' || c <= ' ' || c == 0x7F)
            {
                return PathVerdict.Invalid;
            }
        }

        return PathVerdict.Ok;
    }

    private static bool TryParseHexByte(char high, char low, out int value)
    {
        var h = HexValue(high);
        var l = HexValue(low);
        value = (h << 4) | l;
        return (h | l) >= 0;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>
    /// Classifies a UTF-8 lead byte (RFC 3629 section 4): how many continuation bytes follow and the
    /// range the first of them must be in, which is what excludes overlong forms, surrogates and
    /// code points above U+10FFFF.
    /// </summary>
    private static bool TryStartUtf8Sequence(int lead, out int pending, out int low, out int high)
    {
        (pending, low, high) = lead switch
        {
            >= 0xC2 and <= 0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            >= 0xE1 and <= 0xEC => (2, 0x80, 0xBF),
            0xED => (2, 0x80, 0x9F),
            >= 0xEE and <= 0xEF => (2, 0x80, 0xBF),
            0xF0 => (3, 0x90, 0xBF),
            >= 0xF1 and <= 0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => (0, 0, 0),
        };
        return pending > 0;
    }
}
