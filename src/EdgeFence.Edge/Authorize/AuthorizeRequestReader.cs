using System.Text.Json;

namespace EdgeFence.Edge.Authorize;

/// <summary>
/// Parses the small fixed JSON body of <c>/v1/authorize</c> with <see cref="Utf8JsonReader"/>:
/// four string members, unknown members skipped, anything else refused with a message.
/// Hand-written instead of a serializer context because it is four fields on the hot path.
/// </summary>
internal static class AuthorizeRequestReader
{
    public static bool TryRead(ReadOnlySpan<byte> json, out AuthorizeRequest request, out string? error)
    {
        request = new AuthorizeRequest();
        error = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "body must be a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                if (!reader.Read())
                {
                    break;
                }

                string? value = null;
                var known = name.SequenceEqual("token"u8) || name.SequenceEqual("method"u8) || name.SequenceEqual("path"u8) || name.SequenceEqual("host"u8);
                if (known)
                {
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        value = reader.GetString();
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        error = $"'{System.Text.Encoding.UTF8.GetString(name)}' must be a string";
                        return false;
                    }
                }
                else
                {
                    reader.Skip();
                    continue;
                }

                if (name.SequenceEqual("token"u8))
                {
                    request.Token = value;
                }
                else if (name.SequenceEqual("method"u8))
                {
                    request.Method = value;
                }
                else if (name.SequenceEqual("path"u8))
                {
                    request.Path = value;
                }
                else
                {
                    request.Host = value;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "body must be one JSON object";
                return false;
            }
        }
        catch (JsonException)
        {
            error = "body is not valid JSON";
            return false;
        }

        if (string.IsNullOrEmpty(request.Method) || string.IsNullOrEmpty(request.Path))
        {
            error = "'method' and 'path' are required";
            return false;
        }

        return true;
    }
}
