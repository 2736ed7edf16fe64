using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.AspNetCore.Problems;

/// <summary>
/// Writes RFC 9457 <c>application/problem+json</c> answers shaped like the edge's own
/// (<c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>, <c>reason</c>), so a client sees one
/// error format whichever side refused it.
/// </summary>
internal static class ProblemResponse
{
    public const string ContentType = "application/problem+json";
    public const string TypePrefix = "urn:edgefence:problem:";

    public static Task WriteAsync(HttpContext context, int status, string reason, string title, string? detail)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, TypePrefix + reason);
            writer.WriteString("title"u8, title);
            writer.WriteNumber("status"u8, status);
            if (detail is not null)
            {
                writer.WriteString("detail"u8, detail);
            }

            writer.WriteString("reason"u8, reason);
            writer.WriteEndObject();
        }

        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }
}
