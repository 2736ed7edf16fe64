namespace EdgeFence.ControlPlane.Problems;

/// <summary>One thing wrong with a request, by the JSON path of the field (<c>quota.units</c>, <c>hosts[1]</c>).</summary>
public sealed record FieldError(string Field, string Message);
