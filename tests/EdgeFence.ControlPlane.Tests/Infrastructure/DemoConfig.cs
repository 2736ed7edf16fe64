namespace EdgeFence.ControlPlane.Tests.Infrastructure;

/// <summary>What <see cref="TestStack.CreateDemoAsync"/> created: one site, plan, resource and token, with the secrets shown once.</summary>
public sealed record DemoConfig(string SiteId, string PlanId, string ResourceId, string TokenId, string Token, string HmacSecret, string OriginKey);
