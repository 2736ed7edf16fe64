using System.Text.Json.Serialization;

namespace EdgeFence.ControlPlane.Problems;

/// <summary>
/// An RFC 9457 <c>application/problem+json</c> body. <see cref="Field"/> names the first field at fault;
/// <see cref="Errors"/> lists every one, so a client fixes them all in one round.
/// </summary>
public sealed class ProblemBody
{
    public required string Type { get; init; }
    public required string Title { get; init; }
    public required int Status { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Field { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<FieldError>? Errors { get; init; }
}
