using System.Net.Sockets;
using System.Text;

namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>
/// Sends bytes exactly as written: HttpClient would normalize dot segments and encodings away,
/// and those spellings are exactly what the path tests must send.
/// </summary>
public static class RawHttp
{
    public static async Task<(int Status, string Response)> SendAsync(string baseUrl, string requestHead, byte[]? body = null)
    {
        var uri = new Uri(baseUrl);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(requestHead));
        if (body is not null)
        {
            await stream.WriteAsync(body);
        }

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var text = new StringBuilder();
        var buffer = new char[8192];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(), cts.Token)) > 0)
            {
                text.Append(buffer, 0, read);
                var s = text.ToString();
                var headerEnd = s.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headerEnd >= 0 && IsComplete(s, headerEnd))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The server may close the connection after a 400.
        }

        var response = text.ToString();
        var status = response.Length >= 12 ? int.Parse(response.AsSpan(9, 3)) : 0;
        return (status, response);
    }

    private static bool IsComplete(string response, int headerEnd)
    {
        var head = response[..headerEnd];
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return response.Length - headerEnd - 4 >= int.Parse(line.AsSpan(15).Trim());
            }
        }

        return !head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) || response.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }
}
