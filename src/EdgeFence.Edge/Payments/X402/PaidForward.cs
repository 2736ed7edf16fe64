using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Snapshots;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>How <see cref="X402Gate"/> hands a settled call back to the proxy's forwarding (the same path token-allowed calls take).</summary>
internal delegate Task PaidForward(HttpContext context, SiteRuntime site, Decision decision, string sitePath, string requestId, long snapshotVersion, long start);
