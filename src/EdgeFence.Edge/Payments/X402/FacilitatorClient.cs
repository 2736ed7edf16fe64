using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// Talks to an x402 facilitator over HTTP (spec §7): <c>POST {url}/verify</c> and
/// <c>POST {url}/settle</c>, both with <c>{x402Version, paymentPayload, paymentRequirements}</c>.
/// Its own pooled connections (not the origins' client: a slow facilitator must not take origin
/// connections, nor the other way round), bounded timeouts, and any answer that is not clearly
/// valid JSON of the expected shape reads as <see cref="FacilitatorOutcome.Unavailable"/>.
/// </summary>
internal sealed class FacilitatorClient : IDisposable
{
    /// <summary>Verify is a signature check and one simulated call: seconds at most, or the facilitator is in trouble.</summary>
    public static readonly TimeSpan DefaultVerifyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Settle waits for the transaction's receipt: a few blocks on a busy chain.</summary>
    public static readonly TimeSpan DefaultSettleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest answer read. Threat: a broken or hostile facilitator streaming an endless body into
    /// the edge's memory; real answers are a few hundred bytes.
    /// </summary>
    public const int MaxAnswerBytes = 64 * 1024;

    /// <summary>Longest string kept from an answer (a transaction hash is 66 characters).</summary>
    private const int MaxAnswerString = 200;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpMessageInvoker _http;
    private readonly TimeSpan _verifyTimeout;
    private readonly TimeSpan _settleTimeout;

    public FacilitatorClient(TimeSpan? verifyTimeout = null, TimeSpan? settleTimeout = null)
    {
        _verifyTimeout = verifyTimeout ?? DefaultVerifyTimeout;
        _settleTimeout = settleTimeout ?? DefaultSettleTimeout;
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            // Facilitators sit behind load balancers: reconnect now and then to follow DNS changes.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxResponseHeadersLength = 16,
        });
    }

    public Task<FacilitatorAnswer> VerifyAsync(X402Terms terms, PaymentPayload payment, string resourceUrl, CancellationToken aborted)
        => CallAsync(terms.VerifyUrl, Body(terms, payment, resourceUrl), settle: false, _verifyTimeout, aborted);

    /// <summary>Settles. Not cancelled when the client goes away: once asked, the payment may move, and the answer must be known.</summary>
    public Task<FacilitatorAnswer> SettleAsync(X402Terms terms, PaymentPayload payment, string resourceUrl)
        => CallAsync(terms.SettleUrl, Body(terms, payment, resourceUrl), settle: true, _settleTimeout, CancellationToken.None);

    private static byte[] Body(X402Terms terms, PaymentPayload payment, string resourceUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(payment.Json.Length + 512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("x402Version"u8, payment.Version);

            // The payload exactly as the client sent it (already checked strict JSON): the facilitator
            // verifies the client's values, and a re-serialization could only drift from them.
            w.WritePropertyName("paymentPayload"u8);
            w.WriteRawValue(payment.Json.Span, skipInputValidation: true);
            w.WritePropertyName("paymentRequirements"u8);
            if (payment.Version == 1)
            {
                PaymentRequirementsWriter.WriteV1(w, terms, resourceUrl);
            }
            else
            {
                PaymentRequirementsWriter.WriteV2(w, terms);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private async Task<FacilitatorAnswer> CallAsync(Uri url, byte[] body, bool settle, TimeSpan timeout, CancellationToken aborted)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        cts.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        byte[]? rented = null;
        try
        {
            using var response = await _http.SendAsync(request, cts.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;

            // 200 is the answer; the reference facilitator answers a bad request with 400 and a JSON
            // verdict, which is as clear. Anything else (5xx, redirects) is no answer.
            if (status is not (200 or 400))
            {
                return FacilitatorAnswer.Unavailable($"HTTP {status}");
            }

            if (response.Content.Headers.ContentLength > MaxAnswerBytes)
            {
                return FacilitatorAnswer.Unavailable("answer too large");
            }

            rented = ArrayPool<byte>.Shared.Rent(MaxAnswerBytes + 1);
            var length = 0;
            var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length <= MaxAnswerBytes && (read = await stream.ReadAsync(rented.AsMemory(length, MaxAnswerBytes + 1 - length), cts.Token).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }

            if (length > MaxAnswerBytes)
            {
                return FacilitatorAnswer.Unavailable("answer too large");
            }

            var answer = Parse(rented.AsSpan(0, length), settle);
            return status == 400 && answer.Outcome == FacilitatorOutcome.Succeeded ? FacilitatorAnswer.Unavailable("HTTP 400 with a success") : answer;
        }
        catch (OperationCanceledException)
        {
            // Also when the client went away during verify: the caller then gives the claim back.
            return FacilitatorAnswer.Unavailable(aborted.IsCancellationRequested ? "the client went away" : "timed out");
        }
        catch (HttpRequestException ex)
        {
            return FacilitatorAnswer.Unavailable(ex.HttpRequestError.ToString());
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Verify: <c>{isValid, invalidReason?, payer?}</c>. Settle: <c>{success, errorReason?, transaction, network, payer?}</c>.
    /// The verdict member must be a JSON boolean; a success must name its payer (and, settling, its transaction).
    /// </summary>
    internal static FacilitatorAnswer Parse(ReadOnlySpan<byte> json, bool settle)
    {
        bool? verdict = null;
        string? reason = null, payer = null, transaction = null, network = null;
        try
        {
            var r = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return FacilitatorAnswer.Unavailable("answer is not a JSON object");
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals(settle ? "success"u8 : "isValid"u8))
                {
                    r.Read();
                    verdict = r.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => throw new JsonException("verdict is not a boolean"),
                    };
                }
                else if (r.ValueTextEquals(settle ? "errorReason"u8 : "invalidReason"u8))
                {
                    reason = ReadKept(ref r);
                }
                else if (r.ValueTextEquals("payer"u8))
                {
                    payer = ReadKept(ref r);
                }
                else if (r.ValueTextEquals("transaction"u8))
                {
                    transaction = ReadKept(ref r);
                }
                else if (r.ValueTextEquals("network"u8))
                {
                    network = ReadKept(ref r);
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (r.TokenType != JsonTokenType.EndObject || r.Read())
            {
                return FacilitatorAnswer.Unavailable("answer is not one JSON object");
            }
        }
        catch (JsonException)
        {
            return FacilitatorAnswer.Unavailable("answer is not valid JSON");
        }

        return verdict switch
        {
            null => FacilitatorAnswer.Unavailable(settle ? "answer has no success member" : "answer has no isValid member"),
            false => new FacilitatorAnswer(FacilitatorOutcome.Refused, reason ?? "unspecified", payer, transaction, network),
            true when payer is null || (settle && string.IsNullOrEmpty(transaction)) => FacilitatorAnswer.Unavailable(settle ? "a success without payer or transaction" : "a valid verdict without payer"),
            true => new FacilitatorAnswer(FacilitatorOutcome.Succeeded, null, payer, transaction, network),
        };
    }

    /// <summary>A string member kept only when short printable ASCII (it reaches headers and logs); else null.</summary>
    private static string? ReadKept(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (r.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected a string");
        }

        if (r.ValueSpan.Length > MaxAnswerString * 6)
        {
            return null;
        }

        var value = r.GetString()!;
        return value.Length <= MaxAnswerString && !value.AsSpan().ContainsAnyExceptInRange('\x21', '\x7e') ? value : null;
    }

    public void Dispose() => _http.Dispose();
}
