using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EdgeFence.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Listens to <see cref="EdgeFenceMetrics.EdgeFailures"/> of one application only (its meter's scope is
/// that application's <see cref="IMeterFactory"/>), so tests running in parallel do not see each other's.
/// </summary>
public sealed class FailureMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();

    public FailureMeasurements(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EdgeFenceMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name == EdgeFenceMetrics.EdgeFailures)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? policy = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "policy")
                {
                    policy = tag.Value as string;
                }
                else if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
            }

            Recorded.Enqueue((value, policy, reason));
        });
        _listener.Start();
    }

    public ConcurrentQueue<(long Value, string? Policy, string? Reason)> Recorded { get; } = new();

    public void Dispose() => _listener.Dispose();
}
