using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Json;

/// <summary>Route values, for endpoints written as plain request delegates (no reflection-based binding).</summary>
internal static class RouteValues
{
    public static string Id(HttpContext context) => context.GetRouteValue("id") as string ?? "";
}
