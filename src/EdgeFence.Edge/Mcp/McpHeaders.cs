using System.Text;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Mcp;

/// <summary>
/// The request headers of the MCP Streamable HTTP transport, revision 2026-07-28 (SEP-2243): <c>Mcp-Method</c> on
/// every POST, <c>Mcp-Name</c> for <c>tools/call</c>, <c>resources/read</c>, <c>prompts/get</c>. Older revisions send
/// none, and a request claiming one is priced from its body instead: headers are trusted only where the
/// specification makes the server reject a header that disagrees with the body.
/// </summary>
internal static class McpHeaders
{
    public const string ProtocolVersion = "MCP-Protocol-Version";
    public const string Method = "Mcp-Method";
    public const string Name = "Mcp-Name";

    /// <summary>The first revision with <c>Mcp-Method</c>/<c>Mcp-Name</c>; revisions are dates, so they compare as strings.</summary>
    public const string FirstRevisionWithHeaders = "2026-07-28";

    /// <summary>The method and name the headers claim, or false when this request's revision has no such headers.</summary>
    public static bool TryGet(IHeaderDictionary headers, out string method, out string? name)
    {
        method = "";
        name = null;
        if (headers[ProtocolVersion] is not [{ } version] || string.CompareOrdinal(version, FirstRevisionWithHeaders) < 0
            || headers[Method] is not [{ Length: > 0 and <= McpLimits.MaxNameBytes } m])
        {
            return false;
        }

        method = m;
        if (headers[Name] is [{ Length: > 0 and <= McpLimits.MaxNameBytes } n])
        {
            name = Decode(n);
        }

        return true;
    }

    /// <summary>Non-ASCII names travel as <c>=?base64?…?=</c>; a sentinel that does not decode is kept as sent (and then matches no tool).</summary>
    private static string Decode(string value)
    {
        if (!value.StartsWith("=?base64?", StringComparison.Ordinal) || !value.EndsWith("?=", StringComparison.Ordinal) || value.Length < 11)
        {
            return value;
        }

        Span<byte> bytes = stackalloc byte[McpLimits.MaxNameBytes];
        return Convert.TryFromBase64String(value[9..^2], bytes, out var written) ? Encoding.UTF8.GetString(bytes[..written]) : value;
    }
}
