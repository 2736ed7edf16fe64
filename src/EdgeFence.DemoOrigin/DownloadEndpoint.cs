using System.Globalization;

namespace EdgeFence.DemoOrigin;

/// <summary>
/// <c>GET /download/{bytes}</c>: streams that many deterministic bytes, byte <c>i</c> being <c>i % 251</c>
/// (a prime, so the pattern does not line up with power-of-two buffer boundaries and a dropped or
/// repeated chunk shows up). Lets tests check large responses stream through the edge intact.
/// </summary>
public static class DownloadEndpoint
{
    /// <summary>2 GiB: enough for streaming tests, bounded so one request cannot run forever.</summary>
    public const long MaxBytes = 2L * 1024 * 1024 * 1024;

    private const int Period = 251;

    /// <summary>A whole number of periods (261 × 251 = 65,511 bytes, just under 64 KiB), so every chunk starts at phase 0.</summary>
    private static readonly byte[] Chunk = BuildChunk();

    public static async Task HandleAsync(HttpContext context, bool signatureValid)
    {
        var text = context.Request.RouteValues["bytes"] as string;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var total) || total > MaxBytes)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"bytes must be an integer from 0 to {MaxBytes}\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = total;
        response.Headers["X-DemoOrigin-Signature-Valid"] = signatureValid ? "true" : "false";
        for (var left = total; left > 0;)
        {
            var count = (int)Math.Min(left, Chunk.Length);
            await response.Body.WriteAsync(Chunk.AsMemory(0, count), context.RequestAborted).ConfigureAwait(false);
            left -= count;
        }
    }

    private static byte[] BuildChunk()
    {
        var chunk = new byte[Period * (64 * 1024 / Period)];
        for (var i = 0; i < chunk.Length; i++)
        {
            chunk[i] = (byte)(i % Period);
        }

        return chunk;
    }
}
