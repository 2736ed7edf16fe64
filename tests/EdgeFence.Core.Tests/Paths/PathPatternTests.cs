using EdgeFence.Core.Paths;

namespace EdgeFence.Core.Tests.Paths;

public class PathPatternTests
{
    [Theory]
    [InlineData("/", new string[0], false)]
    [InlineData("/*", new[] { "*" }, true)]
    [InlineData("/v1/chat/completions", new[] { "v1", "chat", "completions" }, false)]
    [InlineData("/api/v1/*", new[] { "api", "v1", "*" }, true)]
    [InlineData("/users/*/orders", new[] { "users", "*", "orders" }, false)]
    [InlineData("/users/*/*", new[] { "users", "*", "*" }, true)]
    [InlineData("/a.b/c..d/...x", new[] { "a.b", "c..d", "...x" }, false)]
    [InlineData("/-._~!$&'()+,=:@", new[] { "-._~!$&'()+,=:@" }, false)]
    [InlineData("/Tools/Call", new[] { "Tools", "Call" }, false)]
    public void Valid_patterns_parse_into_segments(string text, string[] segments, bool hasCatchAll)
    {
        Assert.True(PathPattern.TryParse(text, out var pattern, out var error), error);
        Assert.Equal(text, pattern.Text);
        Assert.Equal(segments, pattern.Segments);
        Assert.Equal(hasCatchAll, pattern.HasCatchAll);
    }

    [Theory]
    [InlineData("")]
    [InlineData("api/v1")]
    [InlineData("*")]
    [InlineData("//")]
    [InlineData("/a//b")]
    [InlineData("//a")]
    [InlineData("/a/")]
    [InlineData("/a/*/")]
    [InlineData("/.")]
    [InlineData("/..")]
    [InlineData("/a/./b")]
    [InlineData("/a/../b")]
    [InlineData("/a*")]
    [InlineData("/*a")]
    [InlineData("/a/**")]
    [InlineData("/a/b*c")]
    [InlineData("/a%2Fb")]
    [InlineData("/a%20b")]
    [InlineData("/a;b")]
    [InlineData("/a\\b")]
    [InlineData("/a?b")]
    [InlineData("/a#b")]
    [InlineData("/a b")]
    [InlineData("/a\tb")]
    [InlineData("/a\u0000b")]
    [InlineData("/a\u007Fb")]
    [InlineData("/caf\u00E9")]
    [InlineData("/\u017Fecret")]
    [InlineData("/a\"b")]
    [InlineData("/a<b>")]
    [InlineData("/a[0]")]
    [InlineData("/a|b")]
    public void Invalid_patterns_are_rejected_with_a_reason(string text)
    {
        Assert.False(PathPattern.TryParse(text, out var pattern, out var error));
        Assert.Null(pattern);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Null_pattern_is_rejected_without_throwing()
    {
        Assert.False(PathPattern.TryParse(null!, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Thirty_two_segments_are_accepted_and_thirty_three_are_not()
    {
        var thirtyTwo = string.Concat(Enumerable.Repeat("/s", 32));
        var thirtyThree = thirtyTwo + "/s";

        Assert.True(PathPattern.TryParse(thirtyTwo, out _, out _));
        Assert.False(PathPattern.TryParse(thirtyThree, out _, out var error));
        Assert.Contains("32", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catch_all_counts_as_a_segment_for_the_limit()
    {
        var thirtyTwoWithCatchAll = string.Concat(Enumerable.Repeat("/s", 31)) + "/*";
        var thirtyThreeWithCatchAll = string.Concat(Enumerable.Repeat("/s", 32)) + "/*";

        Assert.True(PathPattern.TryParse(thirtyTwoWithCatchAll, out _, out _));
        Assert.False(PathPattern.TryParse(thirtyThreeWithCatchAll, out _, out _));
    }

    [Fact]
    public void Patterns_of_1024_characters_are_accepted_and_longer_ones_are_not()
    {
        var exactly1024 = "/" + new string('a', 1023);
        var longer = "/" + new string('a', 1024);

        Assert.True(PathPattern.TryParse(exactly1024, out _, out _));
        Assert.False(PathPattern.TryParse(longer, out _, out var error));
        Assert.Contains("1024", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_input_is_refused_before_it_is_split()
    {
        // A megabyte of slashes would be a million empty segments; the length check comes first.
        var huge = new string('/', 1 << 20);

        Assert.False(PathPattern.TryParse(huge, out _, out var error));
        Assert.Contains("1024", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/API/V1/*", "/api/v1/*")]
    [InlineData("/v1/Chat/Completions", "/v1/chat/completions")]
    [InlineData("/", "/")]
    [InlineData("/A-B_C~D", "/a-b_c~d")]
    public void Canonical_is_the_text_with_ascii_letters_lower_cased(string text, string canonical)
    {
        Assert.True(PathPattern.TryParse(text, out var pattern, out _));
        Assert.Equal(canonical, pattern.Canonical);
    }

    [Fact]
    public void Patterns_differing_only_in_case_have_the_same_canonical_form()
    {
        Assert.True(PathPattern.TryParse("/Api/V1/*", out var a, out _));
        Assert.True(PathPattern.TryParse("/aPI/v1/*", out var b, out _));

        Assert.Equal(a.Canonical, b.Canonical);
        Assert.NotEqual(a.Text, b.Text);
    }

    [Fact]
    public void Segments_cannot_be_modified_through_a_cast()
    {
        Assert.True(PathPattern.TryParse("/a/b", out var pattern, out _));

        Assert.False(pattern.Segments is string[]);
    }

    [Fact]
    public void The_error_names_a_control_character_by_its_code_point()
    {
        Assert.False(PathPattern.TryParse("/a\rb", out _, out var error));

        Assert.Contains("U+000D", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", error, StringComparison.Ordinal);
    }
}
