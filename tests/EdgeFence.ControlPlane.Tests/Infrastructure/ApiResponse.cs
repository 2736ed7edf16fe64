using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace EdgeFence.ControlPlane.Tests.Infrastructure;

/// <summary>One control plane answer, read whole.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string? ContentType, HttpResponseHeaders Headers, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    public string Str(string property) => Json.GetProperty(property).GetString()!;

    /// <summary>The fields a problem body names, first the <c>field</c> member then each of <c>errors</c>.</summary>
    public IReadOnlyList<string> ProblemFields()
    {
        var fields = new List<string>();
        if (Json.TryGetProperty("errors", out var errors))
        {
            fields.AddRange(errors.EnumerateArray().Select(e => e.GetProperty("field").GetString()!));
        }

        return fields;
    }

    public override string ToString() => $"{(int)Status} {Text}";
}
