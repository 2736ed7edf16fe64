using System.Buffers;
using System.Text.Json;

namespace EdgeFence.LoadBaseline;

/// <summary>
/// The reference for <c>POST /v1/authorize</c>: a Kestrel endpoint of the same build (same aot.props,
/// same slim host, same Kestrel settings) that does the least an authorize-like endpoint can do:
/// read a small JSON body, parse it, answer a small JSON object. The edge's authorize answer is about
/// 250 bytes of JSON plus three headers; this one is the same shape and size. Its rate is the ceiling
/// of any HTTP JSON endpoint on this machine, so edge-authorize / hello is the share of that ceiling
/// the edge keeps while it hashes the keys, decides, counts and logs. A bare "return 200" would
/// measure less than an authorize endpoint must do (read and parse a body), and a full framework
/// endpoint (routing, model binding) more, so neither would be a fair reference.
/// </summary>
internal static class HelloEndpoint
{
    /// <summary>The same cap as the edge's authorize body: bounds what one caller can make us buffer.</summary>
    private const int MaxBodyBytes = 8 * 1024;

    public static async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsPost(request.Method) || !request.Path.Equals("/hello", StringComparison.Ordinal))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(total, buffer.Length - total), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > MaxBodyBytes)
                {
                    response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    return;
                }
            }

            if (!TryReadTokenLength(buffer.AsSpan(0, total), out var tokenLength))
            {
                response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            var requestId = Guid.NewGuid().ToString("N");
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            response.Headers.CacheControl = "no-store";
            response.Headers["X-Request-Id"] = requestId;
            using (var writer = new Utf8JsonWriter(response.BodyWriter))
            {
                writer.WriteStartObject();
                writer.WriteBoolean("allow"u8, true);
                writer.WriteNumber("status"u8, 200);
                writer.WriteString("reason"u8, "hello"u8);
                writer.WriteString("greeting"u8, "hello, world"u8);
                writer.WriteNumber("tokenLength"u8, tokenLength);
                writer.WriteString("customer"u8, "bench-customer"u8);
                writer.WriteString("plan"u8, "bench-plan"u8);
                writer.WriteNumber("limit"u8, 1_000_000_000_000L);
                writer.WriteNumber("remaining"u8, 999_999_999_999L);
                writer.WriteNumber("reset"u8, 2_592_000);
                writer.WriteString("requestId"u8, requestId);
                writer.WriteEndObject();
            }

            await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses the body as a JSON object and finds the length of its "token" string (-1 when absent).</summary>
    private static bool TryReadTokenLength(ReadOnlySpan<byte> json, out int length)
    {
        length = -1;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isToken = reader.ValueTextEquals("token"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if (isToken && reader.TokenType == JsonTokenType.String)
                {
                    length = reader.GetString()!.Length;
                }
                else
                {
                    reader.Skip();
                }
            }

            return reader.TokenType == JsonTokenType.EndObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
