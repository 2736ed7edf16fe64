using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Resources;

/// <summary>What one call to a resource costs in money, and how it may be paid.</summary>
internal readonly record struct ResourcePriceTerms(long PriceMicros, string Currency, ResourcePayment Payment);
