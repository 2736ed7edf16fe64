using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Payments;
using EdgeFence.Edge.Proxy.Upstream;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// The fast path's refusals: the same RFC 9457 problem body as <see cref="ProblemWriter"/> (whose
/// <see cref="ProblemWriter.Write"/> it calls) and the same headers (request id, WWW-Authenticate on 401, the
/// RateLimit headers and Retry-After, Allow on 405, the payment link on a 402 for the balance), written as one
/// response head and body to the client's transport.
/// </summary>
internal static class FastProblemWriter
{
    /// <summary>A refused decision.</summary>
    public static void Write(PipeWriter output, in Decision decision, string requestId, bool close, bool isHead)
    {
        var due = PaymentDue.From(decision);
        var head = new HeadBuilder(512);
        try
        {
            head.Bytes(StatusLines.For(DenyReasons.Get(decision.Reason).Status));
            ForwardTransform.WriteLimits(ref head, decision);
            if (decision.Reason == DenyReason.MethodNotAllowed && decision.Route is not null)
            {
                head.Header("Allow", decision.Route.AllowHeader);
            }

            if (due?.TopUpUrl is { } url)
            {
                head.Header("Link", "<" + url + ">; rel=\"payment\"");
            }

            Finish(output, ref head, decision.Reason, null, requestId, due, close, isHead);
        }
        finally
        {
            head.Dispose();
        }
    }

    /// <summary>A refusal that is not a decision's (the origin failing: 502, 504).</summary>
    public static void Write(PipeWriter output, DenyReason reason, string? detail, string requestId, bool close, bool isHead)
    {
        var head = new HeadBuilder(512);
        try
        {
            head.Bytes(StatusLines.For(DenyReasons.Get(reason).Status));
            Finish(output, ref head, reason, detail, requestId, due: null, close, isHead);
        }
        finally
        {
            head.Dispose();
        }
    }

    private static void Finish(PipeWriter output, ref HeadBuilder head, DenyReason reason, string? detail, string requestId, PaymentDue? due, bool close, bool isHead)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            ProblemWriter.Write(json, reason, detail, requestId, due);
        }

        var status = DenyReasons.Get(reason).Status;
        head.Bytes("Content-Type: application/problem+json\r\nCache-Control: no-store\r\n"u8);
        WriteDate(ref head);
        head.Header(RequestSigner.RequestIdHeader, requestId);
        if (status == 401)
        {
            head.Bytes("WWW-Authenticate: Bearer realm=\"edgefence\"\r\n"u8);
        }

        if (close)
        {
            head.Bytes("Connection: close\r\n"u8);
        }

        head.Header("Content-Length"u8, body.WrittenCount);
        head.Bytes("\r\n"u8);
        output.Write(head.Written.Span);

        // A response to HEAD says the body's length and sends none (RFC 9110 9.3.2), as Kestrel does.
        if (!isHead)
        {
            output.Write(body.WrittenSpan);
        }
    }

    /// <summary>
    /// The Date line of a response the edge answers itself: as the origin server of its refusals and authorize answers,
    /// one with a clock sends it (RFC 9110 6.6.1), as Kestrel does on the other path. IMF-fixdate is 29 bytes.
    /// </summary>
    public static void WriteDate(ref HeadBuilder head)
    {
        Span<byte> date = stackalloc byte[29];
        Utf8Formatter.TryFormat(DateTime.UtcNow, date, out var dateLength, new StandardFormat('R'));
        head.Bytes("Date: "u8);
        head.Bytes(date[..dateLength]);
        head.Bytes("\r\n"u8);
    }
}
