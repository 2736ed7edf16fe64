using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeFence.DemoOrigin;

/// <summary>Answers any request with what arrived: method, raw target, signature verdict, identity headers, body size and hash.</summary>
public static class EchoEndpoint
{
    /// <summary>64 KiB, the same copy buffer size YARP and Stream.CopyTo use.</summary>
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Raw targets keep their '&amp;', '+' and quotes readable; the default encoder's HTML-safe escaping
    /// (<c>\u0026</c>) is for JSON embedded in HTML, which this never is.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task HandleAsync(HttpContext context, SignatureVerifier verifier)
    {
        // Verify before reading the body: the verdict depends only on the request line and headers.
        var signatureValid = verifier.Verify(context);

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

        var headers = context.Request.Headers;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("origin"u8, "demo");
            json.WriteString("method"u8, context.Request.Method);
            json.WriteString("path"u8, context.Features.Get<IHttpRequestFeature>()?.RawTarget);
            json.WriteBoolean("signatureValid"u8, signatureValid);
            WriteHeader(json, "customer"u8, headers, SignatureVerifier.CustomerHeader);
            WriteHeader(json, "plan"u8, headers, SignatureVerifier.PlanHeader);
            WriteHeader(json, "tokenId"u8, headers, SignatureVerifier.TokenIdHeader);
            WriteHeader(json, "requestId"u8, headers, SignatureVerifier.RequestIdHeader);
            json.WriteNumber("bodyBytes"u8, bodyBytes);
            json.WriteString("bodySha256"u8, Convert.ToHexStringLower(sha256.GetHashAndReset()));
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The header's value, or null when the request did not carry it.</summary>
    private static void WriteHeader(Utf8JsonWriter json, ReadOnlySpan<byte> name, IHeaderDictionary headers, string header)
    {
        var value = headers[header];
        if (value.Count == 0)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value.ToString());
        }
    }
}
