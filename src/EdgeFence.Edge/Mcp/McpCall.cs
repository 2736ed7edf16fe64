namespace EdgeFence.Edge.Mcp;

/// <summary>One JSON-RPC message of an MCP request, as far as the edge needs it: method, tool name, id.</summary>
internal sealed class McpCall
{
    /// <summary>The JSON-RPC method; null for a response (a client answering a server request) or when not seen yet.</summary>
    public string? Method { get; set; }

    /// <summary><c>params.name</c>: the tool of a <c>tools/call</c> (also the resource or prompt of other methods).</summary>
    public string? Name { get; set; }

    /// <summary>The id exactly as sent (a JSON string with its quotes, or a number), for the error answering it; null without one.</summary>
    public string? IdJson { get; set; }

    /// <summary>Whether the message carries result or error: a response, not a request.</summary>
    public bool IsResponse { get; set; }

    /// <summary>Whether the whole message was read (so an absent id is known to be absent).</summary>
    public bool Complete { get; set; }

    /// <summary>Why the message is not acceptable (a duplicate member, a method that is not a string), or null.</summary>
    public string? Problem { get; set; }
}
