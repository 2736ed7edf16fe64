using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeFence.AspNetCore;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeFence.DemoOrigin;

/// <summary>
/// Answers any request with what arrived: the mode, method, raw target, whether the signature was
/// verified, the identity EdgeFence vouched for, body size and hash.
/// </summary>
public static class EchoEndpoint
{
    /// <summary>64 KiB, the same copy buffer size YARP and Stream.CopyTo use.</summary>
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Raw targets keep their '&amp;', '+' and quotes readable; the default encoder's HTML-safe escaping
    /// (<c>\u0026</c>) is for JSON embedded in HTML, which this never is.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task HandleAsync(HttpContext context, DemoMode mode, bool signatureValid)
    {
        // Hash the body as it streams in, so a multi-GiB upload costs one buffer, not its size.
        long bodyBytes = 0;
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                bodyBytes += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var identity = context.GetEdgeFenceIdentity();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("origin"u8, "demo");
            json.WriteString("mode"u8, mode == DemoMode.Proxy ? "proxy" : "middleware");
            json.WriteString("method"u8, context.Request.Method);
            json.WriteString("path"u8, context.Features.Get<IHttpRequestFeature>()?.RawTarget);
            json.WriteBoolean("signatureValid"u8, signatureValid);
            json.WriteString("customer"u8, identity?.Customer);
            json.WriteString("plan"u8, identity?.Plan);
            json.WriteString("tokenId"u8, identity?.TokenId);
            json.WriteString("requestId"u8, identity?.RequestId);
            json.WriteNumber("bodyBytes"u8, bodyBytes);
            json.WriteString("bodySha256"u8, Convert.ToHexStringLower(sha256.GetHashAndReset()));
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
