using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Edge.OpenAi;

namespace EdgeFence.Edge.Tests.OpenAi;

/// <summary>Usage read from a response as it streams past, whatever the chunk boundaries; absurd counts capped; endless lines given up on.</summary>
public sealed class OpenAiUsageScannerTests
{
    private const string FinalChunk = """{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}""";

    private static OpenAiUsageScanner Feed(bool sse, byte[] bytes, int size)
    {
        var scanner = new OpenAiUsageScanner(sse);
        for (var at = 0; at < bytes.Length; at += size)
        {
            scanner.Feed(bytes.AsSpan(at, Math.Min(size, bytes.Length - at)));
        }

        return scanner;
    }

    [Fact]
    public void Usage_of_a_json_answer_is_found_after_the_choices_at_any_chunk_size()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"c1","choices":[{"message":{"role":"assistant","content":"\"usage\":{\"prompt_tokens\":999}"}}],"usage":{"prompt_tokens":7,"completion_tokens":3}}""");
        foreach (var size in new[] { 1, 3, 17, body.Length })
        {
            using var scanner = Feed(sse: false, body, size);
            Assert.True(scanner.Found, $"chunk size {size}");
            Assert.Equal((7L, 3L, false), (scanner.PromptTokens, scanner.CompletionTokens, scanner.Capped));
        }
    }

    [Fact]
    public void The_final_sse_chunk_usage_is_found_at_any_chunk_size()
    {
        var stream = Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\r\n\r\n: keep-alive\n\ndata: " + FinalChunk + "\n\ndata: [DONE]\n\n");
        foreach (var size in new[] { 1, 5, 64, stream.Length })
        {
            using var scanner = Feed(sse: true, stream, size);
            Assert.True(scanner.Found, $"chunk size {size}");
            Assert.Equal((12L, 34L), (scanner.PromptTokens, scanner.CompletionTokens));
        }
    }

    [Fact]
    public void A_stream_cut_before_the_usage_chunk_has_none()
    {
        using var scanner = Feed(sse: true, Encoding.UTF8.GetBytes("data: {\"choices\":[]}\n\ndata: " + FinalChunk[..40]), 8);
        Assert.False(scanner.Found);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("1e30")]
    [InlineData("99999999999999999999999")]
    [InlineData("100000001")]
    public void An_absurd_count_is_capped_and_flagged(string count)
    {
        using var scanner = Feed(sse: false, Encoding.UTF8.GetBytes("""{"usage":{"prompt_tokens":1,"completion_tokens":""" + count + "}}"), 4);
        Assert.True(scanner.Found);
        Assert.True(scanner.Capped);
        Assert.Equal(1, scanner.PromptTokens);
        Assert.InRange(scanner.CompletionTokens, 0, OpenAiDefaults.MaxTokenCount);
    }

    [Fact]
    public void An_answer_that_is_not_json_gives_up_and_finds_nothing()
    {
        using var scanner = Feed(sse: false, "<html>oops</html>"u8.ToArray(), 3);
        Assert.False(scanner.Found);
        Assert.True(scanner.GaveUp);
    }

    [Fact]
    public void An_endless_sse_line_is_dropped_not_buffered_and_the_lines_after_it_still_count()
    {
        using var scanner = new OpenAiUsageScanner(sse: true);
        scanner.Feed("data: "u8);
        var junk = new byte[64 * 1024];
        Array.Fill(junk, (byte)'x');
        for (var i = 0; i * junk.Length <= OpenAiLimits.MaxPendingBytes; i++)
        {
            scanner.Feed(junk);
        }

        Assert.False(scanner.Found);
        scanner.Feed(Encoding.UTF8.GetBytes("\ndata: " + FinalChunk + "\n"));
        Assert.False(scanner.GaveUp);
        Assert.True(scanner.Found);
        Assert.Equal((12L, 34L), (scanner.PromptTokens, scanner.CompletionTokens));
    }
}
