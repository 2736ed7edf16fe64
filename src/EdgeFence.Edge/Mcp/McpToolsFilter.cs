using System.Buffers;
using System.Text;
using System.Text.Json;

namespace EdgeFence.Edge.Mcp;

/// <summary>
/// Rewrites a <c>tools/list</c> answer so it lists only the tools a predicate keeps: the answer as one JSON-RPC
/// object (<c>application/json</c>) or as an SSE stream whose events carry JSON-RPC messages
/// (<c>text/event-stream</c>). Everything but the dropped entries of <c>result.tools</c> is copied as it came.
/// Written by hand because it is EdgeFence's own job: no library filters MCP answers.
/// </summary>
internal static class McpToolsFilter
{
    /// <summary>
    /// The filtered answer, or null when it is not one this filter understands (another content type, not
    /// JSON-RPC, no <c>result.tools</c>): the caller then sends the answer unchanged.
    /// </summary>
    public static byte[]? Filter(ReadOnlySpan<byte> body, string? contentType, Func<string, bool> keep, out int removed)
    {
        removed = 0;
        var mediaType = contentType is null ? "" : contentType.Split(';', 2)[0].Trim();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return FilterMessage(body, keep, ref removed);
        }

        return mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) ? FilterEvents(body, keep, ref removed) : null;
    }

    /// <summary>An SSE stream: each event whose data is a tools/list result is rewritten as one <c>data:</c> line.</summary>
    private static byte[]? FilterEvents(ReadOnlySpan<byte> body, Func<string, bool> keep, ref int removed)
    {
        var text = Encoding.UTF8.GetString(body);
        var output = new StringBuilder(text.Length);
        var changed = false;
        var position = 0;
        while (position < text.Length)
        {
            // One event: lines up to a blank line (LF, CRLF or CR line ends, as the SSE grammar allows).
            var end = EventEnd(text, position, out var next);
            var eventText = text[position..end];
            var separator = text[end..next];
            position = next;

            var lines = eventText.Split(["\r\n", "\n", "\r"], StringSplitOptions.None);
            var data = new StringBuilder();
            foreach (var line in lines.Where(l => l.StartsWith("data:", StringComparison.Ordinal)))
            {
                if (data.Length > 0)
                {
                    data.Append('\n');
                }

                data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
            }

            var filtered = data.Length == 0 ? null : FilterMessage(Encoding.UTF8.GetBytes(data.ToString()), keep, ref removed);
            if (filtered is null)
            {
                output.Append(eventText).Append(separator);
                continue;
            }

            changed = true;
            foreach (var line in lines.Where(l => l.Length > 0 && !l.StartsWith("data:", StringComparison.Ordinal)))
            {
                output.Append(line).Append('\n');
            }

            output.Append("data: ").Append(Encoding.UTF8.GetString(filtered)).Append('\n').Append(separator.Length > 0 ? "\n" : "");
        }

        return changed ? Encoding.UTF8.GetBytes(output.ToString()) : null;
    }

    private static int EventEnd(string text, int from, out int next)
    {
        for (var i = from; i < text.Length; i++)
        {
            foreach (var blank in (ReadOnlySpan<string>)["\r\n\r\n", "\n\n", "\r\r"])
            {
                if (string.CompareOrdinal(text, i, blank, 0, blank.Length) == 0)
                {
                    next = i + blank.Length;
                    return i;
                }
            }
        }

        next = text.Length;
        return text.Length;
    }

    /// <summary>One JSON-RPC response: <c>result.tools</c> keeps the entries whose <c>name</c> passes; null if there is none.</summary>
    private static byte[]? FilterMessage(ReadOnlySpan<byte> json, Func<string, bool> keep, ref int removed)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object
                || !result.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var buffer = new ArrayBufferWriter<byte>(json.Length);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var property in root.EnumerateObject())
                {
                    if (property.NameEquals("result"))
                    {
                        writer.WritePropertyName(property.Name);
                        WriteResult(writer, property.Value, keep, ref removed);
                    }
                    else
                    {
                        property.WriteTo(writer);
                    }
                }

                writer.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }
    }

    private static void WriteResult(Utf8JsonWriter writer, JsonElement result, Func<string, bool> keep, ref int removed)
    {
        writer.WriteStartObject();
        foreach (var property in result.EnumerateObject())
        {
            if (!property.NameEquals("tools"))
            {
                property.WriteTo(writer);
                continue;
            }

            writer.WriteStartArray(property.Name);
            foreach (var tool in property.Value.EnumerateArray())
            {
                // A tool without a string name is not one a plan can include: dropped, like a tool the plan lacks.
                if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && keep(name.GetString()!))
                {
                    tool.WriteTo(writer);
                }
                else
                {
                    removed++;
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
