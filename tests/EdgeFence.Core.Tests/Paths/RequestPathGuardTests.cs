using EdgeFence.Core.Paths;

namespace EdgeFence.Core.Tests.Paths;

public class RequestPathGuardTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/a/b")]
    [InlineData("/a/b/")]
    [InlineData("/v1/chat/completions")]
    [InlineData("/a/b?x=1&y=2")]
    [InlineData("/?q")]
    [InlineData("/a?")]
    [InlineData("/a/b?x=%2F")]
    [InlineData("/a?path=/../..//x;y\\z%00%25%zz")]
    [InlineData("/a?q=caf\u00E9")]
    [InlineData("/caf%C3%A9")]
    [InlineData("/caf%c3%a9")]
    [InlineData("/%E2%82%AC")]
    [InlineData("/%F0%9F%98%80/x")]
    [InlineData("/%ED%9F%BF")]
    [InlineData("/%EF%BF%BF")]
    [InlineData("/%F4%8F%BF%BF")]
    [InlineData("/a.b/c..d")]
    [InlineData("/.well-known/x")]
    [InlineData("/..a/b../.c./x.")]
    [InlineData("/a%2eb")]
    [InlineData("/a%2E%2Eb")]
    [InlineData("/p%61id")]
    [InlineData("/a%20b")]
    [InlineData("/a%3Fb")]
    [InlineData("/a%23b")]
    [InlineData("/-._~!$&'()*+,=:@")]
    [InlineData("/users/42/orders")]
    public void Ordinary_paths_are_ok(string target)
    {
        Assert.Equal(PathVerdict.Ok, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("http://example.com/a/b")]
    [InlineData("https://example.com/a/b?x=1")]
    [InlineData("HTTP://Example.COM/a")]
    [InlineData("http://example.com:8080/a")]
    [InlineData("http://[::1]:8080/a")]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://example.com")]
    [InlineData("http://example.com?x=1")]
    public void Absolute_form_targets_with_a_clean_path_are_ok(string target)
    {
        Assert.Equal(PathVerdict.Ok, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("a/b")]
    [InlineData("?x")]
    [InlineData("%2Fpaid")]
    [InlineData("\\paid")]
    [InlineData("example.com:443")]
    [InlineData("ftp://example.com/a")]
    [InlineData("http:/example.com/a")]
    [InlineData("http:///a")]
    [InlineData("http://")]
    [InlineData("http://user@example.com/a")]
    [InlineData("http://paid@free.example/a")]
    [InlineData("http://exa%6Dple.com/a")]
    [InlineData("http://exa mple.com/a")]
    [InlineData("http://ex\u00E4mple.com/a")]
    [InlineData("http://example.com#/a")]
    [InlineData("http://example.com/a#b")]
    public void Targets_that_are_not_paths_are_invalid(string target)
    {
        Assert.Equal(PathVerdict.Invalid, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/a%zz")]
    [InlineData("/a%4")]
    [InlineData("/a%")]
    [InlineData("/%")]
    [InlineData("/a%4/b")]
    [InlineData("/a%g1")]
    [InlineData("/a%1g")]
    [InlineData("/a%%41")]
    [InlineData("/a% 1")]
    public void Malformed_percent_encoding_is_invalid(string target)
    {
        Assert.Equal(PathVerdict.Invalid, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/a\u0000b")]
    [InlineData("/a\tb")]
    [InlineData("/a\rb")]
    [InlineData("/a\nb")]
    [InlineData("/a b")]
    [InlineData("/a\u007Fb")]
    [InlineData("/caf\u00E9")]
    [InlineData("/\u017Fecret")]
    [InlineData("/a\uFF0Fb")]
    [InlineData("/a/\uD83D\uDE00")]
    [InlineData("/a?x=1\r\nHost: evil")]
    [InlineData("/a?x=\u0000")]
    [InlineData("/a?x= y")]
    public void Raw_control_characters_and_non_ascii_are_invalid(string target)
    {
        Assert.Equal(PathVerdict.Invalid, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/a#b")]
    [InlineData("/#")]
    [InlineData("/a?x#y")]
    [InlineData("/a?#")]
    public void A_fragment_anywhere_is_invalid(string target)
    {
        Assert.Equal(PathVerdict.Invalid, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/paid%2Fx")]
    [InlineData("/paid%2fx")]
    [InlineData("/free%2F..%2Fpaid")]
    [InlineData("/%2F")]
    [InlineData("http://example.com/a%2Fb")]
    public void Encoded_slash_is_ambiguous(string target)
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/paid%5Cx")]
    [InlineData("/paid%5cx")]
    [InlineData("/free%5C..%5Cpaid")]
    [InlineData("/paid\\x")]
    [InlineData("/free\\..\\paid")]
    [InlineData("http://example.com\\paid")]
    [InlineData("http://example.com/a\\b")]
    public void Backslash_raw_or_encoded_is_ambiguous(string target)
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/paid%00")]
    [InlineData("/paid%00.json")]
    [InlineData("/a%01b")]
    [InlineData("/a%09b")]
    [InlineData("/a%0Ab")]
    [InlineData("/a%0db")]
    [InlineData("/a%1Fb")]
    [InlineData("/a%1fb")]
    [InlineData("/a%7Fb")]
    [InlineData("/a%7fb")]
    public void Encoded_control_characters_are_ambiguous(string target)
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/paid%252Fx")]
    [InlineData("/a%25b")]
    [InlineData("/%25")]
    [InlineData("/a%252e%252e/b")]
    public void Double_encoding_is_ambiguous(string target)
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("//")]
    [InlineData("//paid")]
    [InlineData("/a//b")]
    [InlineData("/a/b//")]
    [InlineData("/a///b")]
    [InlineData("http://example.com//paid")]
    public void Empty_segments_are_ambiguous(string target)
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/.")]
    [InlineData("/..")]
    [InlineData("/./")]
    [InlineData("/../")]
    [InlineData("/a/.")]
    [InlineData("/a/..")]
    [InlineData("/a/./b")]
    [InlineData("/free/../paid")]
    [InlineData("/free/..?x=1")]
    [InlineData("/%2e")]
    [InlineData("/%2E")]
    [InlineData("/free/%2e%2e/paid")]
    [InlineData("/free/%2E%2E/paid")]
    [InlineData("/free/%2E%2e/paid")]
    [InlineData("/free/.%2e/paid")]
    [InlineData("/free/%2e./paid")]
    [InlineData("/free/%2e/paid")]
    [InlineData("/a/...")]
    [InlineData("/a/..../b")]
    [InlineData("http://example.com/free/../paid")]
    [InlineData("http://example.com/..")]
    public void Dot_segments_raw_or_encoded_are_ambiguous(string target)
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/paid;x")]
    [InlineData("/paid;x/..")]
    [InlineData("/free;/../paid")]
    [InlineData("/paid;jsessionid=1")]
    [InlineData("/;")]
    [InlineData("/paid%3Bx")]
    [InlineData("/paid%3bx")]
    public void Path_parameters_are_ambiguous(string target)
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check(target));
    }

    [Theory]
    [InlineData("/%C0%AE%C0%AE/paid")]
    [InlineData("/a%C0%AFb")]
    [InlineData("/a%E0%80%AFb")]
    [InlineData("/a%F0%80%80%AFb")]
    [InlineData("/a%C1%BF")]
    [InlineData("/a%ED%A0%80")]
    [InlineData("/a%F4%90%80%80")]
    [InlineData("/a%F5%80%80%80")]
    [InlineData("/a%FF")]
    [InlineData("/a%80")]
    [InlineData("/a%BF")]
    [InlineData("/caf%C3")]
    [InlineData("/caf%C3/x")]
    [InlineData("/caf%C3x")]
    [InlineData("/caf%C3?x")]
    [InlineData("/%E2%82")]
    [InlineData("/%C3%A9%A9")]
    [InlineData("/%C3%41")]
    public void Invalid_or_overlong_utf8_is_ambiguous(string target)
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check(target));
    }

    [Fact]
    public void Only_the_path_is_checked_not_the_query()
    {
        Assert.Equal(PathVerdict.Ambiguous, RequestPathGuard.Check("/a%2Fb?c"));
        Assert.Equal(PathVerdict.Ok, RequestPathGuard.Check("/a?b%2Fc/../..//%00;"));
    }

    [Fact]
    public void Check_allocates_nothing()
    {
        string[] targets =
        [
            "/", "/v1/chat/completions?stream=true", "/caf%C3%A9/x", "/a/b?x=%2F", "/paid%2Fx", "/free/%2e%2e/paid",
            "//x", "/a;b", "/a%zz", "http://example.com/a/b?x", "*", "/%C0%AE",
        ];

        var sink = 0;
        for (var i = 0; i < 1000; i++)
        {
            sink += Run(targets);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sink += Run(targets);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sink);

        static int Run(string[] targets)
        {
            var sum = 0;
            for (var t = 0; t < targets.Length; t++)
            {
                sum += (int)RequestPathGuard.Check(targets[t]);
            }

            return sum;
        }
    }
}
