namespace EdgeFence.ControlPlane.Billing;

/// <summary>What billing runs beside its endpoints, disposed with the server: the Stripe client, the meter exporter, the suspender.</summary>
internal sealed class BillingServices : IAsyncDisposable
{
    public BillingServices(StripeGateway gateway, MeterExporter? exporter, PaymentSuspender suspender)
    {
        Gateway = gateway;
        Exporter = exporter;
        Suspender = suspender;
    }

    public PaymentSuspender Suspender { get; }

    public StripeGateway Gateway { get; }

    /// <summary>Null without <c>ControlPlane:Redis</c>: there is no ledger to read overage from.</summary>
    public MeterExporter? Exporter { get; }

    public async ValueTask DisposeAsync()
    {
        if (Exporter is not null)
        {
            await Exporter.DisposeAsync().ConfigureAwait(false);
        }

        await Suspender.DisposeAsync().ConfigureAwait(false);
        Gateway.Dispose();
    }
}
