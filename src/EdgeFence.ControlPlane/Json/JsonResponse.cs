using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.ControlPlane.Json;

/// <summary>Writes a response body through the source-generated context.</summary>
internal static class JsonResponse
{
    public static Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }
}
