using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Resolves the snapshot formatters and the few primitive ones they are made of, and nothing else.
/// </summary>
/// <remarks>
/// There is deliberately no fallback: the standard, dynamic and contractless resolvers generate code with
/// Reflection.Emit, which fails under native AOT. An unknown type resolves to null, so a missing formatter
/// shows up as an error in a test instead of as a crash on the edge.
/// </remarks>
public sealed class SnapshotResolver : IFormatterResolver
{
    public static readonly SnapshotResolver Instance = new();

    private SnapshotResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>()
    {
        object? formatter =
            typeof(T) == typeof(Snapshot) ? SnapshotFormatter.Instance
            : typeof(T) == typeof(SnapshotDelta) ? SnapshotDeltaFormatter.Instance
            : typeof(T) == typeof(Site) ? SiteFormatter.Instance
            : typeof(T) == typeof(Plan) ? PlanFormatter.Instance
            : typeof(T) == typeof(Resource) ? ResourceFormatter.Instance
            : typeof(T) == typeof(TokenRecord) ? TokenRecordFormatter.Instance
            : typeof(T) == typeof(NameValue) ? NameValueFormatter.Instance
            : typeof(T) == typeof(ResourcePrice) ? ResourcePriceFormatter.Instance
            : typeof(T) == typeof(OpenAiModelPrice) ? OpenAiModelPriceFormatter.Instance
            : typeof(T) == typeof(X402Settings) ? X402SettingsFormatter.Instance
            : typeof(T) == typeof(WalletBook) ? WalletBookFormatter.Instance
            : typeof(T) == typeof(WalletRecord) ? WalletRecordFormatter.Instance
            : typeof(T) == typeof(string) ? NullableStringFormatter.Instance
            : typeof(T) == typeof(long) ? Int64Formatter.Instance
            : typeof(T) == typeof(int) ? Int32Formatter.Instance
            : typeof(T) == typeof(bool) ? BooleanFormatter.Instance
            : typeof(T) == typeof(byte[]) ? ByteArrayFormatter.Instance
            : null;
        return (IMessagePackFormatter<T>?)formatter;
    }
}
