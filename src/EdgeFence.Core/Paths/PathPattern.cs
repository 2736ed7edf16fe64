using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace EdgeFence.Core.Paths;

/// <summary>
/// A parsed resource path pattern: literal segments, <c>*</c> for exactly one segment, and a
/// trailing <c>*</c> that matches the path without it and everything below (<c>/api/v1/*</c>).
/// </summary>
/// <remarks>
/// The grammar is deliberately narrow. Anything a request path could spell in two ways
/// (percent-encoding, dot segments, empty segments, path parameters) is refused here, so that a
/// pattern names exactly one set of decoded paths and the matcher never has to normalize.
/// </remarks>
public sealed class PathPattern
{
    /// <summary>
    /// Patterns come from site owners through the control plane. The cap bounds the memory one
    /// pattern can pin in every edge's trie and, with <see cref="MaxSegments"/>, the recursion depth
    /// of <see cref="ResourceMatcher.TryMatch"/> (a stack-exhaustion vector otherwise).
    /// </summary>
    public const int MaxLength = 1024;

    /// <summary>Bounds trie depth, hence matcher recursion depth and backtracking work per request.</summary>
    public const int MaxSegments = 32;

    /// <summary>The segment that stands for one path segment, or for the rest of the path when last.</summary>
    public const string Wildcard = "*";

    private PathPattern(string text, string canonical, string[] segments, bool hasCatchAll)
    {
        Text = text;
        Canonical = canonical;
        Segments = Array.AsReadOnly(segments);
        HasCatchAll = hasCatchAll;
    }

    /// <summary>The pattern exactly as given.</summary>
    public string Text { get; }

    /// <summary>
    /// <see cref="Text"/> with ASCII letters lower-cased. Matching ignores ASCII case, so two patterns
    /// with equal <see cref="Canonical"/> are the same pattern.
    /// </summary>
    public string Canonical { get; }

    /// <summary>
    /// The segments as given, without separators. Includes the trailing <c>*</c> when
    /// <see cref="HasCatchAll"/>; empty for the root pattern <c>/</c>.
    /// </summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>The last segment is <c>*</c>: it matches the path without it and everything below.</summary>
    public bool HasCatchAll { get; }

    /// <summary>Parses <paramref name="pattern"/>; on failure <paramref name="error"/> says why, for an operator.</summary>
    public static bool TryParse(
        string pattern,
        [NotNullWhen(true)] out PathPattern? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (string.IsNullOrEmpty(pattern))
        {
            error = "The pattern is empty.";
            return false;
        }

        // Checked before any other work so an oversized pattern costs nothing to refuse.
        if (pattern.Length > MaxLength)
        {
            error = $"The pattern is {pattern.Length} characters long; the limit is {MaxLength}.";
            return false;
        }

        if (pattern[0] != '/')
        {
            error = "The pattern must start with '/'.";
            return false;
        }

        if (pattern.Length == 1)
        {
            result = new PathPattern(pattern, pattern, [], hasCatchAll: false);
            error = null;
            return true;
        }

        if (pattern[^1] == '/')
        {
            // Requests with and without one trailing '/' match alike, so a trailing '/' in a pattern
            // would only suggest a distinction that does not exist.
            error = "The pattern must not end with '/' (a trailing '/' on a request is ignored anyway).";
            return false;
        }

        var segments = pattern[1..].Split('/');
        if (segments.Length > MaxSegments)
        {
            error = $"The pattern has {segments.Length} segments; the limit is {MaxSegments}.";
            return false;
        }

        for (var i = 0; i < segments.Length; i++)
        {
            if (!TryValidateSegment(segments[i], i + 1, out error))
            {
                return false;
            }
        }

        var canonical = pattern.ToLowerInvariant();
        result = new PathPattern(pattern, canonical, segments, hasCatchAll: segments[^1] == Wildcard);
        error = null;
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static bool TryValidateSegment(string segment, int number, [NotNullWhen(false)] out string? error)
    {
        if (segment.Length == 0)
        {
            // Origins disagree on '//' (collapse it, keep it, 404), so no pattern may rely on one.
            error = $"Segment {number} is empty ('//').";
            return false;
        }

        if (segment is "." or "..")
        {
            // A dot segment is removed or resolved before routing by most origins; as a pattern it
            // would never match what the origin routes.
            error = $"Segment {number} is a dot segment ('{segment}').";
            return false;
        }

        if (segment == Wildcard)
        {
            error = null;
            return true;
        }

        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (c == '*')
            {
                error = $"Segment {number} mixes '*' into a literal; '*' must be a whole segment.";
                return false;
            }

            if (!IsLiteralChar(c))
            {
                // Printed as a code point: the character may be a control character or invisible.
                error = $"Segment {number} contains U+{(int)c:X4}, which a pattern literal may not contain.";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>
    /// RFC 3986 pchar without pct-encoded and without ';'. Patterns are matched against decoded
    /// paths, so '%' would be ambiguous (literal or escape?); ';' starts path parameters that some
    /// origins strip. Non-ASCII is refused because matching only folds ASCII case.
    /// </summary>
    private static bool IsLiteralChar(char c) =>
        char.IsAsciiLetterOrDigit(c) ||
        c is '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '+' or ',' or '=' or ':' or '@';
}
