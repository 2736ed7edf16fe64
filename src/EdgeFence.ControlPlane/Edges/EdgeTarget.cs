namespace EdgeFence.ControlPlane.Edges;

/// <summary>One edge the pusher serves: its URL, its push state, and the signal that wakes its loop.</summary>
internal sealed class EdgeTarget
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _attempted = NewPulse();
    private long? _appliedVersion;
    private long _lastAttemptVersion;
    private string? _lastResult;
    private DateTimeOffset? _lastAttemptAt;
    private DateTimeOffset? _lastSuccessAt;
    private DateTimeOffset? _nextAttemptAt;
    private int _failures;

    /// <param name="adminUrl">The edge's admin listener.</param>
    /// <param name="path">What is pushed there, relative to it: <c>v1/snapshot</c> or <c>v1/wallets</c>.</param>
    public EdgeTarget(Uri adminUrl, string path)
    {
        // A trailing slash, so "v1/snapshot" resolves below a base path instead of replacing its last segment.
        AdminUrl = adminUrl.AbsoluteUri.EndsWith('/') ? adminUrl : new Uri(adminUrl.AbsoluteUri + "/");
        PushUrl = new Uri(AdminUrl, path);
    }

    public Uri AdminUrl { get; }

    /// <summary>Where the signed bytes are <c>PUT</c>.</summary>
    public Uri PushUrl { get; }
    public AsyncSignal Wake { get; } = new();

    /// <summary>Where deltas are <c>PUT</c>.</summary>
    public Uri DeltaUrl => new(AdminUrl, "v1/snapshot/delta");

    /// <summary>
    /// Set when the edge did not take a delta on the base we believed it had: the next push is a full snapshot.
    /// Read and written only by the edge's own loop.
    /// </summary>
    public bool NeedsFull { get; set; }

    /// <summary>The version the edge said it serves when it refused a delta (a base to chain from), until a push succeeds.</summary>
    public long? ReportedVersion { get; set; }

    public string Name => AdminUrl.Authority;

    public long? AppliedVersion
    {
        get
        {
            lock (_lock)
            {
                return _appliedVersion;
            }
        }
    }

    public int Failures
    {
        get
        {
            lock (_lock)
            {
                return _failures;
            }
        }
    }

    public void Record(long version, PushOutcome outcome, DateTimeOffset at, DateTimeOffset? nextAttemptAt)
    {
        TaskCompletionSource attempted;
        lock (_lock)
        {
            _lastAttemptVersion = Math.Max(_lastAttemptVersion, version);
            _lastResult = outcome.Result;
            _lastAttemptAt = at;
            _nextAttemptAt = nextAttemptAt;
            if (outcome.Success)
            {
                _appliedVersion = Math.Max(_appliedVersion ?? 0, outcome.EdgeVersion ?? version);
                _lastSuccessAt = at;
                _failures = 0;
            }
            else
            {
                _failures++;
            }

            attempted = _attempted;
            _attempted = NewPulse();
        }

        attempted.TrySetResult();
    }

    /// <summary>Completes once an attempt to deliver <paramref name="version"/> (or a newer one) has finished, whatever its result.</summary>
    public async Task WaitAttemptedAsync(long version, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task pulse;
            lock (_lock)
            {
                if (_lastAttemptVersion >= version || _appliedVersion >= version)
                {
                    return;
                }

                pulse = _attempted.Task;
            }

            await pulse.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public EdgeStatus Status()
    {
        lock (_lock)
        {
            return new EdgeStatus
            {
                Url = AdminUrl.AbsoluteUri,
                AppliedVersion = _appliedVersion,
                LastResult = _lastResult,
                LastAttemptAt = _lastAttemptAt,
                LastSuccessAt = _lastSuccessAt,
                ConsecutiveFailures = _failures,
                NextAttemptAt = _failures > 0 ? _nextAttemptAt : null,
            };
        }
    }

    private static TaskCompletionSource NewPulse() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
