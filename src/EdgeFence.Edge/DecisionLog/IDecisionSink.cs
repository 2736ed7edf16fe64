namespace EdgeFence.Edge.DecisionLog;

/// <summary>Where batches of decision records go (rotating NDJSON files now; a Redis stream with global quotas).</summary>
internal interface IDecisionSink : IAsyncDisposable
{
    /// <summary>Writes a batch. Called from one background task only, never from the request path.</summary>
    ValueTask WriteAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken);
}
