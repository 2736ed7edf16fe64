using System.Text.Json.Serialization;

namespace EdgeFence.AspNetCore.Authorize;

/// <summary>Source-generated (de)serialization of the /v1/authorize bodies: no reflection, so it holds under native AOT and trimming.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AuthorizeRequestBody))]
[JsonSerializable(typeof(AuthorizeDecision))]
internal sealed partial class AuthorizeJsonContext : JsonSerializerContext
{
}
