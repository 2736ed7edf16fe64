namespace EdgeFence.ControlPlane.Billing;

/// <summary>What billing runs beside its endpoints, disposed with the server: the Stripe client and the meter exporter.</summary>
internal sealed class BillingServices : IAsyncDisposable
{
    public BillingServices(StripeGateway gateway, MeterExporter? exporter)
    {
        Gateway = gateway;
        Exporter = exporter;
    }

    public StripeGateway Gateway { get; }

    /// <summary>Null without <c>ControlPlane:Redis</c>: there is no ledger to read overage from.</summary>
    public MeterExporter? Exporter { get; }

    public async ValueTask DisposeAsync()
    {
        if (Exporter is not null)
        {
            await Exporter.DisposeAsync().ConfigureAwait(false);
        }

        Gateway.Dispose();
    }
}
