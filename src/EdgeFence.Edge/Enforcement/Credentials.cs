using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Enforcement;

/// <summary>Finds the API token in <c>Authorization: Bearer …</c> or <c>X-Api-Key: …</c> without allocating.</summary>
internal static class Credentials
{
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>
    /// Returns the token (empty when there is none). Ambiguous when a header is repeated or the two
    /// headers carry different tokens: which one would be charged is then a guess, so refuse instead.
    /// </summary>
    public static ReadOnlySpan<char> Find(IHeaderDictionary headers, out bool ambiguous)
    {
        ambiguous = false;
        var authorization = headers.Authorization;
        var apiKey = headers[ApiKeyHeader];
        if (authorization.Count > 1 || apiKey.Count > 1)
        {
            ambiguous = true;
            return default;
        }

        return Find(authorization.Count == 1 ? authorization[0].AsSpan() : default, apiKey.Count == 1 ? apiKey[0].AsSpan() : default, out ambiguous);
    }

    /// <summary>
    /// The same from the two header values (empty when absent), whichever HTTP layer read them; the caller has
    /// already refused a repeated header as ambiguous.
    /// </summary>
    public static ReadOnlySpan<char> Find(ReadOnlySpan<char> authorization, ReadOnlySpan<char> apiKey, out bool ambiguous)
    {
        ambiguous = false;
        ReadOnlySpan<char> bearer = default;
        var value = authorization.Trim();
        if (value.Length > 7 && value[..7].Equals("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            bearer = value[7..].Trim();
        }

        var key = apiKey.Trim();
        if (!bearer.IsEmpty && !key.IsEmpty && !bearer.SequenceEqual(key))
        {
            ambiguous = true;
            return default;
        }

        return bearer.IsEmpty ? key : bearer;
    }
}
