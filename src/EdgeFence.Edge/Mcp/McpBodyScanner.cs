using System.Buffers;
using System.Text;
using System.Text.Json;

namespace EdgeFence.Edge.Mcp;

/// <summary>
/// Reads the method, tool name and id of each JSON-RPC message from the beginning of an MCP request body,
/// which may be cut anywhere: whatever is not there yet is simply not known yet. Everything else
/// (<c>arguments</c>, <c>_meta</c>) is skipped, never copied. Re-run from the start as more arrives; the
/// read is bounded by <see cref="McpLimits.MaxPeekBytes"/>, so that costs at most a few passes over 64 KiB.
/// </summary>
internal static class McpBodyScanner
{
    /// <summary>The problem of a body that does not parse as JSON (answered with JSON-RPC's parse error).</summary>
    public const string NotJson = "the body is not valid JSON";

    public static McpBodyScan Scan(ReadOnlySequence<byte> data, bool isFinal)
    {
        var calls = new List<McpCall>(1);
        var reader = new Utf8JsonReader(data, isFinal, new JsonReaderState(new JsonReaderOptions { MaxDepth = McpLimits.MaxDepth }));
        var isBatch = false;
        try
        {
            if (!reader.Read())
            {
                return new(calls, false, false, isFinal ? "the body is empty" : null);
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                var call = new McpCall();
                calls.Add(call);
                if (!ReadMessage(ref reader, call))
                {
                    return new(calls, false, false, null);
                }
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                isBatch = true;
                while (true)
                {
                    if (!reader.Read())
                    {
                        return new(calls, true, false, null);
                    }

                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        break;
                    }

                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return new(calls, true, false, "every entry of a JSON-RPC batch must be an object");
                    }

                    // Threat: one request fanning out into thousands of decisions.
                    if (calls.Count == McpLimits.MaxBatchCalls)
                    {
                        return new(calls, true, false, $"a batch holds at most {McpLimits.MaxBatchCalls} messages");
                    }

                    var call = new McpCall();
                    calls.Add(call);
                    if (!ReadMessage(ref reader, call))
                    {
                        return new(calls, true, false, null);
                    }
                }

                if (calls.Count == 0)
                {
                    return new(calls, true, true, "an empty JSON-RPC batch is not a request");
                }
            }
            else
            {
                return new(calls, false, false, "the body is not a JSON-RPC message (an object or an array of them)");
            }

            // Anything after the message is not JSON-RPC: the origin's parser might see something else than ours.
            if (!isFinal)
            {
                return new(calls, isBatch, false, null);
            }

            if (reader.Read())
            {
                return new(calls, isBatch, false, "the body continues after the JSON-RPC message");
            }
        }
        catch (JsonException)
        {
            return new(calls, isBatch, false, NotJson);
        }

        return new(calls, isBatch, true, null);
    }

    /// <summary>Reads one message object (the reader is on its StartObject); false when the data ends first.</summary>
    private static bool ReadMessage(ref Utf8JsonReader reader, McpCall call)
    {
        bool seenMethod = false, seenId = false, seenParams = false;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                call.Complete = true;
                return true;
            }

            // A member twice is refused: the origin's parser may well keep the other copy than ours (a way to be priced as a free method).
            if (reader.ValueTextEquals("method"u8))
            {
                Once(ref seenMethod, call, "method");
                if (!reader.Read())
                {
                    return false;
                }

                if (!ReadName(ref reader, call, "method", out var method))
                {
                    return false;
                }

                call.Method = method;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                Once(ref seenId, call, "id");
                if (!reader.Read())
                {
                    return false;
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        call.IdJson = "\"" + Raw(ref reader) + "\"";
                        break;
                    case JsonTokenType.Number:
                        call.IdJson = Raw(ref reader);
                        break;
                    case JsonTokenType.Null:
                        break;
                    default:
                        call.Problem ??= "id must be a string or a number";
                        if (!reader.TrySkip())
                        {
                            return false;
                        }

                        break;
                }
            }
            else if (reader.ValueTextEquals("params"u8))
            {
                Once(ref seenParams, call, "params");
                if (!reader.Read())
                {
                    return false;
                }

                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    if (!ReadParams(ref reader, call))
                    {
                        return false;
                    }
                }
                else if (!reader.TrySkip())
                {
                    return false;
                }
            }
            else
            {
                call.IsResponse |= reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("error"u8);
                if (!reader.Read() || !reader.TrySkip())
                {
                    return false;
                }
            }
        }
    }

    private static bool ReadParams(ref Utf8JsonReader reader, McpCall call)
    {
        var seenName = false;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            var isName = reader.ValueTextEquals("name"u8);
            if (isName)
            {
                Once(ref seenName, call, "params.name");
            }

            if (!reader.Read())
            {
                return false;
            }

            if (isName)
            {
                if (!ReadName(ref reader, call, "params.name", out var name))
                {
                    return false;
                }

                call.Name = name;
            }
            else if (!reader.TrySkip())
            {
                return false;
            }
        }
    }

    private static void Once(ref bool seen, McpCall call, string member)
    {
        if (seen)
        {
            call.Problem ??= $"'{member}' appears twice in one message";
        }

        seen = true;
    }

    /// <summary>Reads a string member's value; false only when the data ends inside a non-string value.</summary>
    private static bool ReadName(ref Utf8JsonReader reader, McpCall call, string member, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            call.Problem ??= $"'{member}' must be a string";
            return reader.TrySkip();
        }

        // Threat: a megabyte "method" copied to a string per request. Real ones are short (tool names: at most 128).
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > McpLimits.MaxNameBytes)
        {
            call.Problem ??= $"'{member}' is longer than {McpLimits.MaxNameBytes} bytes";
            return true;
        }

        value = reader.GetString();
        return true;
    }

    private static string Raw(ref Utf8JsonReader reader)
        => reader.HasValueSequence ? Encoding.UTF8.GetString(reader.ValueSequence) : Encoding.UTF8.GetString(reader.ValueSpan);
}
