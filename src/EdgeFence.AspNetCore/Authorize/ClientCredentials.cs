using Microsoft.AspNetCore.Http;

namespace EdgeFence.AspNetCore.Authorize;

/// <summary>
/// Finds the client's API token the way the edge does in proxy mode: <c>Authorization: Bearer …</c>
/// or <c>X-Api-Key: …</c>, trimmed. Ambiguous when a header is repeated or the two carry different
/// tokens: which one to charge would be a guess.
/// </summary>
internal static class ClientCredentials
{
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The token, empty when there is none (or when <paramref name="ambiguous"/>).</summary>
    public static string Find(IHeaderDictionary headers, out bool ambiguous)
    {
        ambiguous = false;
        var authorization = headers.Authorization;
        var apiKey = headers[ApiKeyHeader];
        if (authorization.Count > 1 || apiKey.Count > 1)
        {
            ambiguous = true;
            return "";
        }

        var bearer = ReadOnlySpan<char>.Empty;
        if (authorization.Count == 1)
        {
            var value = authorization[0].AsSpan().Trim();
            if (value.Length > 7 && value[..7].Equals("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                bearer = value[7..].Trim();
            }
        }

        var key = apiKey.Count == 1 ? apiKey[0].AsSpan().Trim() : ReadOnlySpan<char>.Empty;
        if (!bearer.IsEmpty && !key.IsEmpty && !bearer.SequenceEqual(key))
        {
            ambiguous = true;
            return "";
        }

        return (bearer.IsEmpty ? key : bearer).ToString();
    }
}
