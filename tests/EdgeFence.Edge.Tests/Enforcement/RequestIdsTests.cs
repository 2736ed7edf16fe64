using EdgeFence.Edge.Enforcement;

namespace EdgeFence.Edge.Tests.Enforcement;

/// <summary>Request ids go into the signature, the logs and the origin's replay cache: they must never repeat.</summary>
public sealed class RequestIdsTests
{
    [Fact]
    public void Ids_are_32_lower_case_hex_characters_and_unique_across_threads()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 25_000; i++)
            {
                ids.Add(RequestIds.Next());
            }
        });

        Assert.Equal(100_000, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
    }

    [Fact]
    public void The_process_prefix_is_shared_and_the_counter_part_differs()
    {
        var first = RequestIds.Next();
        var second = RequestIds.Next();

        Assert.Equal(first[..16], second[..16]);
        Assert.NotEqual(first[16..], second[16..]);
    }
}
