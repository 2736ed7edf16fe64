namespace EdgeFence.Edge.Enforcement;

/// <summary>Why a request was refused. Mapped to status, problem type and title in <see cref="DenyReasons"/> only.</summary>
internal enum DenyReason : byte
{
    None = 0,
    InvalidPath,
    AmbiguousPath,
    AmbiguousFraming,
    AmbiguousCredentials,
    UnknownSite,
    NoResource,
    MethodNotAllowed,
    MissingToken,
    InvalidToken,
    UnknownToken,
    RevokedToken,
    ExpiredToken,
    WrongSite,
    NotInPlan,
    RateLimited,
    QuotaExhausted,
    NoSnapshot,
    OriginUnreachable,
    OriginTimeout,
    InvalidOriginKey,
    InvalidRequestBody,
    InsufficientBalance,
    PaymentOverdue,
    ConfigStale,

    // x402 pay-per-call (Payments/X402). Every payment failure but an unreachable facilitator is a 402
    // with a fresh offer, so a client can pay again.
    PaymentRequired,
    PaymentInvalid,
    PaymentMismatch,
    PaymentExpired,
    PaymentReplayed,
    PaymentRejected,
    PaymentSettleFailed,
    PaymentUnavailable,

    // A request header no HTTP/1.1 head can carry on (a control character Kestrel's parser let through).
    InvalidHeader,
}
