namespace EdgeFence.Edge.Enforcement;

/// <summary>The one table from deny reason to status, problem type and title.</summary>
internal static class DenyReasons
{
    private static readonly DenyReasonInfo[] Table = Build();

    public static DenyReasonInfo Get(DenyReason reason) => Table[(int)reason];

    private static DenyReasonInfo[] Build()
    {
        var table = new DenyReasonInfo[(int)DenyReason.InvalidHeader + 1];
        table[(int)DenyReason.None] = new(200, "allowed", "Allowed");
        table[(int)DenyReason.InvalidPath] = new(400, "invalid-path", "The request target is not a valid path");
        table[(int)DenyReason.AmbiguousPath] = new(400, "ambiguous-path", "The request path uses an ambiguous encoding");
        table[(int)DenyReason.AmbiguousFraming] = new(400, "ambiguous-framing", "The request has both Content-Length and Transfer-Encoding");
        table[(int)DenyReason.InvalidHeader] = new(400, "invalid-header", "A request header holds a control character");
        table[(int)DenyReason.AmbiguousCredentials] = new(400, "ambiguous-credentials", "The request carries more than one credential");
        table[(int)DenyReason.UnknownSite] = new(404, "unknown-site", "No site is served at this host or path");
        table[(int)DenyReason.NoResource] = new(404, "unknown-resource", "This path is not a resource of the site");
        table[(int)DenyReason.MethodNotAllowed] = new(405, "method-not-allowed", "The method is not allowed on this resource");
        table[(int)DenyReason.MissingToken] = new(401, "missing-token", "An API token is required");
        table[(int)DenyReason.InvalidToken] = new(401, "invalid-token", "The API token is malformed");
        table[(int)DenyReason.UnknownToken] = new(401, "unknown-token", "The API token is not valid");
        table[(int)DenyReason.RevokedToken] = new(403, "token-revoked", "The API token has been revoked");
        table[(int)DenyReason.ExpiredToken] = new(403, "token-expired", "The API token has expired");
        table[(int)DenyReason.WrongSite] = new(403, "wrong-site", "The API token does not belong to this site");
        table[(int)DenyReason.NotInPlan] = new(403, "not-in-plan", "The token's plan does not include this resource");
        table[(int)DenyReason.RateLimited] = new(429, "rate-limited", "Rate limit exceeded");
        table[(int)DenyReason.QuotaExhausted] = new(429, "quota-exhausted", "Quota for the billing period is used up");
        table[(int)DenyReason.NoSnapshot] = new(503, "no-configuration", "The edge has no configuration yet");
        table[(int)DenyReason.OriginUnreachable] = new(502, "origin-unreachable", "The origin could not be reached");
        table[(int)DenyReason.OriginTimeout] = new(504, "origin-timeout", "The origin did not answer in time");
        table[(int)DenyReason.InvalidOriginKey] = new(401, "invalid-origin-key", "A valid origin key is required");
        table[(int)DenyReason.InvalidRequestBody] = new(400, "invalid-request-body", "The request body is not valid");
        table[(int)DenyReason.InsufficientBalance] = new(402, "insufficient-balance", "The prepaid balance does not cover this call");
        table[(int)DenyReason.PaymentOverdue] = new(402, "payment-overdue", "The subscription's payment is overdue");
        table[(int)DenyReason.ConfigStale] = new(503, "configuration-stale", "The edge has not heard from the control plane for longer than it may serve paid resources");
        table[(int)DenyReason.PaymentRequired] = new(402, "payment-required", "This resource is paid per call with x402");
        table[(int)DenyReason.PaymentInvalid] = new(402, "payment-invalid", "The x402 payment header is malformed");
        table[(int)DenyReason.PaymentMismatch] = new(402, "payment-mismatch", "The x402 payment does not match this resource's payment requirements");
        table[(int)DenyReason.PaymentExpired] = new(402, "payment-expired", "The x402 payment authorization is expired or not yet valid");
        table[(int)DenyReason.PaymentReplayed] = new(402, "payment-replayed", "This x402 payment has already been used");
        table[(int)DenyReason.PaymentRejected] = new(402, "payment-rejected", "The facilitator found the x402 payment invalid");
        table[(int)DenyReason.PaymentSettleFailed] = new(402, "payment-settle-failed", "The x402 payment could not be settled");
        table[(int)DenyReason.PaymentUnavailable] = new(503, "payment-unavailable", "x402 payments cannot be processed right now");
        foreach (var info in table)
        {
            if (info is null)
            {
                throw new InvalidOperationException("every DenyReason needs an entry");
            }
        }

        return table;
    }
}
