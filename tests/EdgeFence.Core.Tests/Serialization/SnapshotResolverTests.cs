using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;
using MessagePack;

namespace EdgeFence.Core.Tests.Serialization;

public class SnapshotResolverTests
{
    [Fact]
    public void Options_resolve_no_formatter_for_an_unknown_type()
    {
        IFormatterResolver resolver = SnapshotSerializer.Options.Resolver;

        Assert.Null(resolver.GetFormatter<Uri>());
        Assert.Null(resolver.GetFormatter<object>());
        Assert.Null(resolver.GetFormatter<Dictionary<string, int>>());
        Assert.Null(resolver.GetFormatter<QuotaPeriod>());
    }

    [Fact]
    public void Options_resolve_the_hand_written_formatters()
    {
        IFormatterResolver resolver = SnapshotSerializer.Options.Resolver;

        Assert.Same(SnapshotFormatter.Instance, resolver.GetFormatter<Snapshot>());
        Assert.Same(SiteFormatter.Instance, resolver.GetFormatter<Site>());
        Assert.Same(PlanFormatter.Instance, resolver.GetFormatter<Plan>());
        Assert.Same(ResourceFormatter.Instance, resolver.GetFormatter<Resource>());
        Assert.Same(TokenRecordFormatter.Instance, resolver.GetFormatter<TokenRecord>());
        Assert.Same(NameValueFormatter.Instance, resolver.GetFormatter<NameValue>());
        Assert.NotNull(resolver.GetFormatter<string>());
        Assert.NotNull(resolver.GetFormatter<long>());
    }

    [Fact]
    public void MessagePackSerializer_with_the_options_reads_what_SnapshotSerializer_writes()
    {
        byte[] bytes = SnapshotSerializer.Serialize(SnapshotSamples.EveryFieldSet());

        Snapshot snapshot = MessagePackSerializer.Deserialize<Snapshot>(bytes, SnapshotSerializer.Options);

        Assert.Equal(bytes, MessagePackSerializer.Serialize(snapshot, SnapshotSerializer.Options));
    }
}
