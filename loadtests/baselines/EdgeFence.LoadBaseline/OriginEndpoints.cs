using System.Globalization;
using System.Text;

namespace EdgeFence.LoadBaseline;

/// <summary>
/// The fast origin every proxy in the comparison forwards to: as little work per request as Kestrel
/// allows, so the proxies' costs dominate. Any GET gets a fixed 13-byte body; <c>GET …/download/{bytes}</c>
/// (under any prefix, so <c>/free/download/N</c> and <c>/paid/download/N</c> reach it through the edge
/// unchanged) streams that many bytes; a POST or PUT has its body drained and answered with its byte count.
/// </summary>
internal static class OriginEndpoints
{
    /// <summary>Largest download: enough for the streaming runs, bounded so one request cannot run forever.</summary>
    private const long MaxDownloadBytes = 16L * 1024 * 1024 * 1024;

    private static readonly byte[] Hello = "hello, world\n"u8.ToArray();

    /// <summary>One read-only 64 KiB chunk every download writes from (YARP's StreamCopier uses the same size).</summary>
    private static readonly byte[] Chunk = CreateChunk();

    public static Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method))
        {
            return DrainAsync(context);
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        var path = request.Path.Value ?? "/";
        var download = path.LastIndexOf("/download/", StringComparison.Ordinal);
        if (download >= 0)
        {
            return DownloadAsync(context, path[(download + "/download/".Length)..]);
        }

        var response = context.Response;
        response.ContentType = "text/plain";
        response.ContentLength = Hello.Length;
        return response.Body.WriteAsync(Hello, 0, Hello.Length, context.RequestAborted);
    }

    private static async Task DrainAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        long total = 0;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            total += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetBytes(total.ToString(CultureInfo.InvariantCulture) + "\n");
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = text.Length;
        await context.Response.Body.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task DownloadAsync(HttpContext context, string count)
    {
        var response = context.Response;
        if (!long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var total) || total > MaxDownloadBytes)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        response.ContentType = "application/octet-stream";
        response.ContentLength = total;
        for (var left = total; left > 0;)
        {
            var size = (int)Math.Min(left, Chunk.Length);
            await response.Body.WriteAsync(Chunk.AsMemory(0, size), context.RequestAborted).ConfigureAwait(false);
            left -= size;
        }
    }

    private static byte[] CreateChunk()
    {
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'x');
        return chunk;
    }
}
