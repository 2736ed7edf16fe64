namespace EdgeFence.Edge.Logging;

/// <summary>Every event id the edge logs, in one list so ids never collide.</summary>
internal static class EventIds
{
    public const int Started = 1;
    public const int Stopping = 2;
    public const int UnsignedSnapshotsAccepted = 3;

    public const int SnapshotLoaded = 100;
    public const int SnapshotApplied = 101;
    public const int SnapshotRejected = 102;
    public const int PersistedSnapshotUnusable = 103;
    public const int ConfiguredSnapshotOlder = 104;
    public const int SnapshotPersistFailed = 105;
    public const int NoSnapshot = 106;
    public const int ControlPlanePulled = 107;
    public const int ControlPlanePullNotNewer = 108;
    public const int ControlPlanePullFailed = 109;

    public const int Decision = 200;
    public const int ClientError = 201;
    public const int OriginError = 202;
    public const int UpstreamRetried = 203;

    public const int CheckpointTaken = 300;
    public const int CheckpointFailed = 301;
    public const int CountersRecovered = 302;

    public const int DecisionLogFull = 400;
    public const int DecisionLogWriteFailed = 401;

    public const int WalletBookLoaded = 600;
    public const int WalletBookApplied = 601;
    public const int WalletBookRejected = 602;
    public const int PersistedWalletBookUnusable = 603;

    public const int RedisDown = 500;
    public const int RedisUp = 501;

    public const int PaymentRefused = 700;
    public const int PaymentSettled = 701;
    public const int FacilitatorUnavailable = 702;
    public const int PaymentGuardFull = 703;

    public const int RollupShippingFailed = 800;
    public const int RollupShippingResumed = 801;
    public const int RollupBatchRejected = 802;
    public const int RollupSpoolFull = 803;
    public const int RollupSpoolFailed = 804;

    public const int ChannelEntryApplied = 810;
    public const int ChannelEntryIgnored = 811;
    public const int ChannelReadFailed = 812;
    public const int ChannelDisabled = 813;
    public const int ConfigStale = 814;
    public const int ConfigFresh = 815;

    // 820-829: OpenAI-compatible endpoints.
    public const int OpenAiSettled = 820;
    public const int OpenAiUsageMissing = 821;
    public const int OpenAiUsageCapped = 822;
    public const int OpenAiOverReservation = 823;
    public const int OpenAiRefused = 824;
    public const int OpenAiUsageNotAsked = 825;
    public const int OpenAiOriginReported = 826;

    // 830-839: the fast path (Proxy/Inbound).
    public const int FastPathConnectionEnded = 830;
    public const int FastPathHandOff = 831;

    // 840-849: snapshot state replacement (the range reserved for delta snapshots).
    public const int SnapshotStateReclaimed = 840;
    public const int DeltaApplied = 841;
    public const int DeltaRejected = 842;
    public const int DeltaNeedsFullSnapshot = 843;
    public const int DeltasReplayed = 844;
    public const int DeltaLogUnusable = 845;
    public const int DeltaPersistFailed = 846;
    public const int TokenTableCompacted = 847;

    // 850: MCP answers.
    public const int McpAnswerTooLarge = 850;
}
