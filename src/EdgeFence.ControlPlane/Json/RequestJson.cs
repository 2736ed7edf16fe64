using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EdgeFence.ControlPlane.Problems;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.ControlPlane.Json;

/// <summary>Reads a request body through the source-generated context; malformed JSON is a 400 naming where it broke.</summary>
internal static class RequestJson
{
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw ApiProblemException.Invalid(FieldOf(ex.Path), Describe(ex));
        }

        return value ?? throw ApiProblemException.Invalid("$", "a JSON object is required");
    }

    /// <summary>
    /// Reads the body twice over, typed and as a document: PATCH needs to tell a field sent as <c>null</c>
    /// (remove that limit) from a field left out (keep it), which the typed object alone cannot.
    /// </summary>
    public static async Task<(T Value, JsonElement Root)> ReadWithPresenceAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        JsonElement root;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw ApiProblemException.Invalid(FieldOf(ex.Path), Describe(ex));
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ApiProblemException.Invalid("$", "a JSON object is required");
        }

        try
        {
            return (root.Deserialize(type)!, root);
        }
        catch (JsonException ex)
        {
            throw ApiProblemException.Invalid(FieldOf(ex.Path), Describe(ex));
        }
    }

    /// <summary>For bodies that may be absent (<c>rotate</c>): an empty body reads as <paramref name="empty"/>.</summary>
    public static async Task<T> ReadOptionalAsync<T>(HttpContext context, JsonTypeInfo<T> type, T empty)
        where T : class
    {
        if (context.Request.ContentLength == 0 || (context.Request.ContentLength is null && !context.Request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return empty;
        }

        return await ReadAsync(context, type).ConfigureAwait(false);
    }

    private static string FieldOf(string? path) => path switch
    {
        null or "$" => "$",
        _ when path.StartsWith("$.", StringComparison.Ordinal) => path[2..],
        _ => path,
    };

    // The serializer's own messages name .NET types; a client needs to know what it sent wrong, not our class names.
    private static string Describe(JsonException ex) => ex.Message switch
    {
        var m when m.Contains("could not be mapped", StringComparison.Ordinal) => "unknown field",
        var m when m.Contains("could not be converted", StringComparison.Ordinal) => "has the wrong type",
        var m when m.Contains("does not contain any JSON tokens", StringComparison.Ordinal) => "a JSON object is required",
        _ => "is not well-formed JSON",
    };
}
