using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// The receipt headers of a settled call, set when the response starts: after YARP has copied the
/// origin's headers, so an origin cannot overwrite or drop them, and also on a 502/504 (the payment
/// did settle, and the client must be able to see that).
/// </summary>
internal sealed class PaidResponseHeaders
{
    private readonly HttpResponse _response;
    private readonly string _receipt;
    private readonly bool _v1;

    private PaidResponseHeaders(HttpResponse response, string receipt, bool v1)
    {
        _response = response;
        _receipt = receipt;
        _v1 = v1;
    }

    public static void Register(HttpResponse response, string receipt, bool v1)
        => response.OnStarting(static state => ((PaidResponseHeaders)state).Apply(), new PaidResponseHeaders(response, receipt, v1));

    private Task Apply()
    {
        var headers = _response.Headers;
        headers[X402Headers.PaymentResponse] = _receipt;
        if (_v1)
        {
            headers[X402Headers.XPaymentResponse] = _receipt;
        }

        var exposed = headers.AccessControlExposeHeaders;
        headers.AccessControlExposeHeaders = exposed.Count == 0 ? X402Headers.ExposeHeaders : exposed.ToString() + ", " + X402Headers.ExposeHeaders;
        return Task.CompletedTask;
    }
}
