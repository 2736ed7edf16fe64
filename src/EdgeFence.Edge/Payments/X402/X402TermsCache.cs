using System.Runtime.CompilerServices;
using EdgeFence.Core.Model;
using EdgeFence.Edge.Snapshots;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// The <see cref="X402Terms"/> of each paid resource, built on first use from the site's
/// <see cref="X402Settings"/> and the resource's price. Keyed weakly by the compiled resource, so a
/// snapshot swap drops the old terms with the old snapshot.
/// </summary>
internal sealed class X402TermsCache
{
    private readonly ConditionalWeakTable<ResourceRuntime, X402Terms> _terms = new();

    /// <summary>The terms, or null when the site has no x402 settings or the price is not payable (validation refuses both).</summary>
    public X402Terms? For(SiteRuntime site, ResourceRuntime resource)
    {
        if (_terms.TryGetValue(resource, out var terms))
        {
            return terms;
        }

        var resourceModel = resource.Resource;
        if (site.Site.X402 is not { } x402 || X402Terms.Create(x402, resourceModel.PriceMicros, resourceModel.Currency, resourceModel.Pattern) is not { } created)
        {
            return null;
        }

        terms = created;
        return _terms.GetValue(resource, _ => terms);
    }
}
