using System.Text;
using System.Text.Json;
using EdgeFence.Edge.Mcp;

namespace EdgeFence.Edge.Tests.Mcp;

/// <summary>The tools/list rewrite on its own: JSON and SSE answers, and what it leaves alone.</summary>
public sealed class McpToolsFilterTests
{
    private const string Answer = """{"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}},{"name":"search","description":"é \u0022q\u0022"},{"title":"no name"},{"name":"store"}],"nextCursor":"c2"}}""";

    private static bool EchoOnly(string tool) => tool == "echo";

    [Fact]
    public void A_json_answer_keeps_only_the_kept_tools_and_everything_else_as_it_came()
    {
        var filtered = McpToolsFilter.Filter(Encoding.UTF8.GetBytes(Answer), "application/json; charset=utf-8", EchoOnly, out var removed);

        Assert.NotNull(filtered);
        Assert.Equal(3, removed);
        var root = JsonDocument.Parse(filtered).RootElement;
        Assert.Equal(7, root.GetProperty("id").GetInt32());
        Assert.Equal("2.0", root.GetProperty("jsonrpc").GetString());
        var tool = Assert.Single(root.GetProperty("result").GetProperty("tools").EnumerateArray());
        Assert.Equal("""{"name":"echo","inputSchema":{"type":"object"}}""", tool.GetRawText());
        Assert.Equal("c2", root.GetProperty("result").GetProperty("nextCursor").GetString());
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void An_sse_answer_has_its_message_event_rewritten_and_other_events_kept(string newline)
    {
        // The message split over two data lines at a point where JSON allows the newline SSE joins them with.
        var split = Answer.IndexOf("{\"tools\"", StringComparison.Ordinal);
        var stream = string.Join(newline, "event: message", "id: 1", "data: " + Answer[..split], "data: " + Answer[split..], "", ": a comment", "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}", "", "");

        var filtered = McpToolsFilter.Filter(Encoding.UTF8.GetBytes(stream), "text/event-stream", EchoOnly, out var removed);

        Assert.NotNull(filtered);
        Assert.Equal(3, removed);
        var text = Encoding.UTF8.GetString(filtered);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, events.Length);
        Assert.StartsWith("event: message\nid: 1\ndata: ", events[0], StringComparison.Ordinal);
        var data = JsonDocument.Parse(events[0][(events[0].IndexOf("data: ", StringComparison.Ordinal) + 6)..]).RootElement;
        Assert.Equal(["echo"], data.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Contains("notifications/progress", events[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain", Answer)]
    [InlineData("application/json", "not json")]
    [InlineData("application/json", """{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}}""")]
    [InlineData("application/json", """{"jsonrpc":"2.0","id":1,"result":{"tools":"none"}}""")]
    [InlineData("text/event-stream", "data: not json\n\n")]
    [InlineData(null, Answer)]
    public void Answers_it_does_not_understand_are_left_to_be_sent_unchanged(string? contentType, string body)
    {
        Assert.Null(McpToolsFilter.Filter(Encoding.UTF8.GetBytes(body), contentType, EchoOnly, out var removed));
        Assert.Equal(0, removed);
    }

    [Fact]
    public void The_capture_keeps_up_to_its_limit_and_then_only_says_it_overflowed()
    {
        using var capture = new McpAnswerCapture(10);
        capture.Write("12345"u8);
        capture.Write(Encoding.ASCII.GetBytes("67890"), 0, 5);
        Assert.False(capture.Overflowed);
        Assert.Equal("1234567890", Encoding.ASCII.GetString(capture.Captured));
        capture.WriteByte((byte)'x');
        Assert.True(capture.Overflowed);
        capture.Write("y"u8);
        Assert.Equal(10, capture.Captured.Length);
    }
}
