using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Mcp;

/// <summary>
/// Learns what an MCP POST calls: from the 2026-07-28 headers where the request has them, and from a bounded
/// read of the body's beginning (which also checks the headers and finds the ids). The body is only peeked:
/// nothing is consumed from Kestrel's pipe, so the forwarder (YARP or the pipelines engine) then sends it to the
/// origin byte for byte from its first byte; at most <see cref="McpLimits.MaxPeekBytes"/> of it is held, and
/// nothing is stored.
/// </summary>
internal static class McpRequestReader
{
    public static async Task<McpRequest> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        var hasHeaders = McpHeaders.TryGet(request.Headers, out var headerMethod, out var headerName);

        // :: Step 1: peek until the body is complete or the cap is reached. A slow or lying Content-Length is
        // bounded by Kestrel's MinRequestBodyDataRate; a body shorter than its Content-Length fails the read.
        McpBodyScan scan;
        bool capped;
        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                var buffer = result.Buffer;
                capped = buffer.Length >= McpLimits.MaxPeekBytes;
                var window = capped ? buffer.Slice(0, McpLimits.MaxPeekBytes) : buffer;
                scan = McpBodyScanner.Scan(window, isFinal: result.IsCompleted && !capped);
                if (scan.Complete || scan.Problem is not null || result.IsCompleted || capped || (hasHeaders && KnowsIds(scan)))
                {
                    // Nothing consumed, nothing examined: the forwarder reads the same bytes from the start.
                    reader.AdvanceTo(buffer.Start);
                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (BadHttpRequestException e)
        {
            return McpRequest.Refused([], false, e.StatusCode == 413 ? 413 : 400, McpErrorCodes.InvalidRequest, "the request body could not be read: " + e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away mid-body: nothing is forwarded; the answer is for the log, if it can still be written.
            return McpRequest.Refused([], false, 400, McpErrorCodes.InvalidRequest, "the request body ended before its Content-Length");
        }

        // :: Step 2: a body that is not JSON-RPC, or a message with a member twice, is refused whatever the headers say.
        if (scan.Problem is { } problem)
        {
            return McpRequest.Refused(scan.Calls, scan.IsBatch, 400, problem == McpBodyScanner.NotJson ? McpErrorCodes.ParseError : McpErrorCodes.InvalidRequest, problem);
        }

        foreach (var call in scan.Calls)
        {
            if (call.Problem is { } callProblem)
            {
                return McpRequest.Refused(scan.Calls, scan.IsBatch, 400, McpErrorCodes.InvalidRequest, callProblem);
            }
        }

        // :: Step 3: the headers, when this revision has them, say what the call is; what the body shows must agree.
        if (hasHeaders)
        {
            if (scan.IsBatch)
            {
                return McpRequest.Refused(scan.Calls, true, 400, McpErrorCodes.InvalidRequest, "MCP 2026-07-28 has no batches: one message per POST");
            }

            var call = scan.Calls.Count > 0 ? scan.Calls[0] : new McpCall();
            if ((call.Method is not null && !string.Equals(call.Method, headerMethod, StringComparison.Ordinal))
                || (McpMethods.HasNameHeader(headerMethod) && (headerName is null || (call.Name is not null && !string.Equals(call.Name, headerName, StringComparison.Ordinal)))))
            {
                return McpRequest.Refused(scan.Calls, false, 400, McpErrorCodes.HeaderMismatch, $"the {McpHeaders.Method}/{McpHeaders.Name} headers do not match the body");
            }

            call.Method = headerMethod;
            call.Name = McpMethods.HasNameHeader(headerMethod) ? headerName : call.Name;
            return McpRequest.Accepted([call], false);
        }

        // :: Step 4: without headers the body alone decides, so all of it must have been read: a member repeated
        // past the cap could name another tool to the origin than the one priced here.
        if (!scan.Complete)
        {
            return McpRequest.Refused(scan.Calls, scan.IsBatch, 413, McpErrorCodes.InvalidRequest,
                $"an MCP message without {McpHeaders.Method}/{McpHeaders.Name} headers (revision {McpHeaders.FirstRevisionWithHeaders}) must fit in {McpLimits.MaxPeekBytes} bytes");
        }

        var ids = scan.IsBatch ? new HashSet<string>(StringComparer.Ordinal) : null;
        foreach (var call in scan.Calls)
        {
            if (call.Method is null)
            {
                if (!call.IsResponse)
                {
                    return McpRequest.Refused(scan.Calls, scan.IsBatch, 400, McpErrorCodes.InvalidRequest, "a JSON-RPC request needs a method");
                }
            }
            else if (call.IdJson is null && !call.Method.StartsWith("notifications/", StringComparison.Ordinal))
            {
                return McpRequest.Refused(scan.Calls, scan.IsBatch, 400, McpErrorCodes.InvalidRequest, $"the '{call.Method}' request has no id");
            }
            else if (call.Method == McpMethods.ToolsCall && call.Name is null)
            {
                return McpRequest.Refused(scan.Calls, scan.IsBatch, 400, McpErrorCodes.InvalidRequest, "tools/call needs params.name");
            }

            if (ids is not null && call.IdJson is not null && !call.IsResponse && !ids.Add(call.IdJson))
            {
                return McpRequest.Refused(scan.Calls, true, 400, McpErrorCodes.InvalidRequest, $"the id {call.IdJson} appears twice in one batch");
            }
        }

        return McpRequest.Accepted(scan.Calls, scan.IsBatch);
    }

    /// <summary>With headers, the body is read only as far as the message's id: enough to answer a refusal for it.</summary>
    private static bool KnowsIds(McpBodyScan scan) => !scan.IsBatch && scan.Calls is [{ IdJson: not null }];
}
