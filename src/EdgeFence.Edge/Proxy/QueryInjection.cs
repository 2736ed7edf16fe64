using System.Text;
using EdgeFence.Edge.Snapshots;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Proxy;

/// <summary>
/// Adds a site's private query parameters, first removing any the client sent under the same names
/// (compared after decoding, in any case) so a client can never override or shadow them.
/// </summary>
internal static class QueryInjection
{
    public static QueryString Apply(QueryString clientQuery, SiteRuntime site)
    {
        var builder = new StringBuilder();
        var raw = clientQuery.HasValue ? clientQuery.Value.AsSpan(1) : default;
        foreach (var range in raw.Split('&'))
        {
            var pair = raw[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).ToString().Replace('+', ' '));
            if (site.StaticQueryNames.Contains(name))
            {
                continue;
            }

            builder.Append(builder.Length == 0 ? '?' : '&').Append(pair);
        }

        foreach (var (name, value) in site.Site.StaticQuery)
        {
            builder.Append(builder.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return new QueryString(builder.ToString());
    }
}
