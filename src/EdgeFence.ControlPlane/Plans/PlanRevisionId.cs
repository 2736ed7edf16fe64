using System.Globalization;

namespace EdgeFence.ControlPlane.Plans;

/// <summary>
/// The plan id the edge knows (and sends the origin in <c>X-EdgeFence-Plan</c>). Revision 1 is the plan id
/// itself, so a plan never updated looks the same everywhere; later revisions are <c>&lt;plan id&gt;.r&lt;n&gt;</c>,
/// and tokens issued before an update keep the id of the terms they were issued on.
/// </summary>
internal static class PlanRevisionId
{
    public static string For(string planId, long revision) =>
        revision == 1 ? planId : string.Create(CultureInfo.InvariantCulture, $"{planId}.r{revision}");
}
