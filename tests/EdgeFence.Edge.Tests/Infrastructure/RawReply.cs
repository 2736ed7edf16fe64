using System.Text;

namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>
/// What a <see cref="RawOrigin"/> writes back: exact bytes; then optionally close at once, close after a pause
/// (the idle-close race), or stall forever.
/// </summary>
public sealed record RawReply(byte[] Bytes)
{
    public bool Close { get; init; }

    public TimeSpan CloseAfter { get; init; }

    public TimeSpan Delay { get; init; }

    public bool Stall { get; init; }

    public static RawReply Of(string latin1) => new(Encoding.Latin1.GetBytes(latin1));

    public static RawReply Ok(string body = "ok") => Of($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
}
