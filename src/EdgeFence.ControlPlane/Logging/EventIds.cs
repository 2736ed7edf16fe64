namespace EdgeFence.ControlPlane.Logging;

/// <summary>Every event id the control plane logs, in one list so ids never collide.</summary>
internal static class EventIds
{
    public const int Started = 1;
    public const int Stopping = 2;
    public const int SigningKeyGenerated = 3;
    public const int SchemaMigrated = 4;
    public const int UnhandledError = 5;

    public const int Unauthorized = 100;
    public const int ClientError = 101;

    public const int ChangeCommitted = 200;
    public const int ChangeRefused = 201;
    public const int SnapshotResigned = 202;

    public const int PushApplied = 300;
    public const int PushFailed = 301;
    public const int PushRetrying = 302;
    public const int EdgeAhead = 303;
    public const int PushFallingBackToFull = 304;
    public const int FullSnapshotBuilt = 305;

    public const int DepositCredited = 400;
    public const int DepositReplayed = 401;
    public const int DepositRefused = 402;
    public const int WalletBookResigned = 403;

    public const int StripeConnected = 600;
    public const int StripeCheckoutCreated = 601;
    public const int StripeWebhookRefused = 602;
    public const int StripeEventProcessed = 603;
    public const int StripeClaimed = 604;
    public const int StripeSecretUnreadable = 605;

    // Revocation channel (Redis stream).
    public const int ChannelPublished = 701;
    public const int ChannelPublishFailed = 702;
}
