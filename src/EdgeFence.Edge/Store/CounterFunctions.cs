using FASTER.core;

namespace EdgeFence.Edge.Store;

/// <summary>FASTER callbacks for the counter store: every update path runs <see cref="CounterMath.Apply"/>.</summary>
internal sealed class CounterFunctions : FunctionsBase<Key128, EntitlementCounters, EnforceInput, EnforceOutput, Empty>
{
    public override bool NeedInitialUpdate(ref Key128 key, ref EnforceInput input, ref EnforceOutput output, ref RMWInfo rmwInfo) => true;

    public override bool InitialUpdater(ref Key128 key, ref EnforceInput input, ref EntitlementCounters value, ref EnforceOutput output, ref RMWInfo rmwInfo)
    {
        value = default;
        CounterMath.Apply(ref value, ref input, ref output);
        return true;
    }

    public override bool InPlaceUpdater(ref Key128 key, ref EnforceInput input, ref EntitlementCounters value, ref EnforceOutput output, ref RMWInfo rmwInfo)
    {
        CounterMath.Apply(ref value, ref input, ref output);
        return true;
    }

    public override bool NeedCopyUpdate(ref Key128 key, ref EnforceInput input, ref EntitlementCounters oldValue, ref EnforceOutput output, ref RMWInfo rmwInfo) => true;

    public override bool CopyUpdater(ref Key128 key, ref EnforceInput input, ref EntitlementCounters oldValue, ref EntitlementCounters newValue, ref EnforceOutput output, ref RMWInfo rmwInfo)
    {
        newValue = oldValue;
        CounterMath.Apply(ref newValue, ref input, ref output);
        return true;
    }

    public override bool SingleReader(ref Key128 key, ref EnforceInput input, ref EntitlementCounters value, ref EnforceOutput dst, ref ReadInfo readInfo)
    {
        dst.Counters = value;
        return true;
    }

    public override bool ConcurrentReader(ref Key128 key, ref EnforceInput input, ref EntitlementCounters value, ref EnforceOutput dst, ref ReadInfo readInfo)
    {
        dst.Counters = value;
        return true;
    }
}
