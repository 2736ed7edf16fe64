using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.OpenAi;

/// <summary>
/// Reads what an OpenAI-compatible POST will cost from its whole body, held up to <see cref="OpenAiLimits.MaxBodyBytes"/>
/// and only peeked, as McpRequestReader does: nothing is consumed from Kestrel's pipe, so the forwarder sends the
/// origin the body byte for byte from its first byte.
/// </summary>
internal static class OpenAiRequestReader
{
    public static async Task<OpenAiRequest> ReadAsync(HttpContext context)
    {
        // :: Step 1: peek until the body is complete. A slow or lying Content-Length is bounded by Kestrel's
        // MinRequestBodyDataRate; a body shorter than its Content-Length fails the read.
        var reader = context.Request.BodyReader;
        OpenAiRequest parsed;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (buffer.Length > OpenAiLimits.MaxBodyBytes)
                {
                    reader.AdvanceTo(buffer.Start);
                    return OpenAiRequest.Refused(413, $"the request body must fit in {OpenAiLimits.MaxBodyBytes} bytes");
                }

                if (result.IsCompleted)
                {
                    parsed = Parse(buffer);
                    reader.AdvanceTo(buffer.Start);
                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (BadHttpRequestException e)
        {
            return OpenAiRequest.Refused(e.StatusCode == 413 ? 413 : 400, "the request body could not be read: " + e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return OpenAiRequest.Refused(400, "the request body ended before its Content-Length");
        }

        return parsed;
    }

    /// <summary>The top-level members that price the call. A member twice is refused: the origin's parser may take the other one.</summary>
    internal static OpenAiRequest Parse(ReadOnlySequence<byte> body)
    {
        var request = new OpenAiRequest { BodyBytes = body.Length };
        var seen = 0;
        try
        {
            var json = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = OpenAiLimits.MaxDepth });
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                return OpenAiRequest.Refused(400, "the request body must be a JSON object");
            }

            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var bit = json.ValueTextEquals("model"u8) ? 1 : json.ValueTextEquals("max_tokens"u8) ? 2 : json.ValueTextEquals("max_completion_tokens"u8) ? 4
                    : json.ValueTextEquals("stream"u8) ? 8 : json.ValueTextEquals("user"u8) ? 16 : json.ValueTextEquals("stream_options"u8) ? 32 : 0;
                if ((seen & bit) != 0)
                {
                    return OpenAiRequest.Refused(400, "a member of the request body appears twice");
                }

                seen |= bit;
                json.Read();
                switch (bit)
                {
                    case 1 when json.TokenType == JsonTokenType.String:
                        request.Model = json.GetString();
                        break;
                    case 2 or 4 when json.TokenType == JsonTokenType.Number:
                        if (!json.TryGetInt64(out var tokens) || tokens < 1)
                        {
                            return OpenAiRequest.Refused(400, "max_tokens must be a positive integer");
                        }

                        request.MaxTokens = bit == 4 || request.MaxTokens is null ? tokens : request.MaxTokens;
                        break;
                    case 8 when json.TokenType is JsonTokenType.True or JsonTokenType.False:
                        request.Stream = json.TokenType == JsonTokenType.True;
                        break;
                    case 16 when json.TokenType == JsonTokenType.String:
                        request.User = json.GetString();
                        break;
                    case 32 when json.TokenType == JsonTokenType.StartObject:
                        if (!ReadStreamOptions(ref json, request))
                        {
                            return OpenAiRequest.Refused(400, "stream_options.include_usage must be a boolean, given once");
                        }

                        break;
                    case 0:
                        json.Skip();
                        break;
                    default:
                        if (json.TokenType != JsonTokenType.Null)
                        {
                            return OpenAiRequest.Refused(400, "model and user must be strings, max_tokens a number, stream a boolean, stream_options an object");
                        }

                        break;
                }
            }

            if (json.TokenType != JsonTokenType.EndObject || json.Read())
            {
                return OpenAiRequest.Refused(400, "the request body must be one JSON object");
            }
        }
        catch (JsonException)
        {
            return OpenAiRequest.Refused(400, "the request body is not JSON");
        }

        return string.IsNullOrEmpty(request.Model) ? OpenAiRequest.Refused(400, "the request body names no model") : request;
    }

    /// <summary>Reads <c>stream_options</c> (the reader on its StartObject) for <c>include_usage</c>; false when it is not a boolean or appears twice.</summary>
    private static bool ReadStreamOptions(ref Utf8JsonReader json, OpenAiRequest request)
    {
        var seen = false;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var includeUsage = json.ValueTextEquals("include_usage"u8);
            json.Read();
            if (!includeUsage)
            {
                json.Skip();
                continue;
            }

            if (seen || json.TokenType is not (JsonTokenType.True or JsonTokenType.False))
            {
                return false;
            }

            seen = true;
            request.IncludeUsage = json.TokenType == JsonTokenType.True;
        }

        return true;
    }
}
