using System.Text;
using EdgeFence.Edge.Proxy.Inbound;
using Xunit.Abstractions;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// The differential fuzz test of issue #12: the same random and mutated request heads, whole and split at every
/// position, go to the fast path's parser and to Kestrel's HTTP/1.1 server. It fails wherever ours accepts what
/// Kestrel refuses, or reads a field differently. Ours may refuse more (it is the stricter one) or hand a head to
/// Kestrel's stack. A fixed seed by default, so CI is repeatable; <c>EDGEFENCE_FUZZ_SEED</c> and
/// <c>EDGEFENCE_FUZZ_CASES</c> run other and longer campaigns.
/// </summary>
public sealed class RequestHeadDifferentialTests(ITestOutputHelper output)
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("EDGEFENCE_FUZZ_SEED"), out var seed) ? seed : 20261203;
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("EDGEFENCE_FUZZ_CASES"), out var cases) ? cases : 3000;

    /// <summary>What our parser read, in <see cref="KestrelEcho.Fields"/>' format; null unless it accepted the head.</summary>
    private static (RequestHeadStatus Status, string? Fields, RequestHead Head) Ours(byte[] bytes, int split = -1)
    {
        var head = new RequestHead();
        head.Reset();
        var status = split > 0 ? RequestHeadParser.Parse(bytes.AsSpan(0, split), head) : RequestHeadStatus.Incomplete;
        if (status == RequestHeadStatus.Incomplete)
        {
            status = RequestHeadParser.Parse(bytes, head);
        }

        if (status != RequestHeadStatus.Complete)
        {
            return (status, null, head);
        }

        string Text(int start, int length) => Encoding.Latin1.GetString(bytes, start, length);
        var headers = Enumerable.Range(0, head.HeaderCount).Select(head.Header).Select(h => (Text(h.NameStart, h.NameLength).ToLowerInvariant(), Text(h.ValueStart, h.ValueLength)));
        return (status, KestrelEcho.Fields(Text(0, head.MethodLength), Text(head.TargetStart, head.TargetLength), head.Version == 11 ? "HTTP/1.1" : "HTTP/1.0", headers), head);
    }

    [Fact]
    public async Task Ours_never_accepts_what_kestrel_refuses_and_reads_the_same_fields()
    {
        await using var server = await KestrelEcho.StartAsync();
        var corpus = new RequestHeadCorpus(Seed);
        var tally = new Dictionary<string, int>();
        var failures = new List<string>();
        for (var i = 0; i < Cases && failures.Count < 10; i++)
        {
            var bytes = corpus.Next();
            var ours = Ours(bytes);

            // Heads ours finds incomplete or refuses need no answer from Kestrel to pass; Kestrel is still asked
            // (ending the stream so it need not wait) to report how often the two agree.
            var kestrel = await server.SendAsync(bytes, halfClose: ours.Status != RequestHeadStatus.Complete);
            var key = $"ours {ours.Status}, kestrel {(kestrel.Status is >= 200 and < 300 ? "accepted" : "refused")}";
            tally[key] = tally.GetValueOrDefault(key) + 1;
            if (ours.Status == RequestHeadStatus.Complete && (kestrel.Status != 200 || kestrel.Fields != ours.Fields))
            {
                failures.Add($"{RequestHeadCorpus.Escape(bytes)}: ours accepted, Kestrel {kestrel.Status}\n  ours:    {ours.Fields?.Replace("\n", " ¶ ")}\n  kestrel: {kestrel.Fields?.Replace("\n", " ¶ ")}");
            }

            // The same bytes split at every position read exactly the same by ours.
            for (var split = 1; split < bytes.Length; split++)
            {
                var pieces = Ours(bytes, split);
                if ((pieces.Status, pieces.Fields, pieces.Head.ErrorStatus) != (ours.Status, ours.Fields, ours.Head.ErrorStatus))
                {
                    failures.Add($"{RequestHeadCorpus.Escape(bytes)} split at {split}: {pieces.Status} {pieces.Head.ErrorStatus}, whole {ours.Status} {ours.Head.ErrorStatus}");
                    break;
                }
            }
        }

        foreach (var (key, count) in tally.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{key}: {count}");
        }

        Assert.True(failures.Count == 0, $"seed {Seed}:\n" + string.Join("\n", failures));
        Assert.True(tally.GetValueOrDefault("ours Complete, kestrel accepted") > Cases / 10, "the corpus must hold enough valid heads to compare fields");
    }

    [Fact]
    public async Task Heads_split_at_every_position_read_the_same_at_kestrel_and_ours()
    {
        await using var kestrel = await KestrelEcho.StartAsync();
        var corpus = new RequestHeadCorpus(Seed + 1);
        for (var tested = 0; tested < 6;)
        {
            // Heads the fast path serves (the corpus's valid heads include IPv6-literal hosts, handed off, and HTTP/1.0
            // POSTs without a length, refused).
            var bytes = Encoding.Latin1.GetBytes(corpus.Valid());
            var ours = Ours(bytes);
            if (ours.Status != RequestHeadStatus.Complete)
            {
                continue;
            }

            tested++;
            var whole = await kestrel.SendAsync(bytes);
            Assert.True(whole.Status == 200 && whole.Fields == ours.Fields, $"{RequestHeadCorpus.Escape(bytes)}: Kestrel {whole.Status}\n  ours:    {ours.Fields}\n  kestrel: {whole.Fields}");
            for (var split = 1; split < bytes.Length; split++)
            {
                var (status, fields) = await kestrel.SendAsync(bytes, split);
                Assert.True(status == 200 && fields == ours.Fields, $"{RequestHeadCorpus.Escape(bytes)} split at {split}: Kestrel {status}\n  ours:    {ours.Fields}\n  kestrel: {fields}");
                Assert.Equal(ours.Fields, Ours(bytes, split).Fields);
            }
        }
    }
}
