using EdgeFence.Core.Paths;

namespace EdgeFence.Core.Tests.Paths;

public class ResourceMatcherTests
{
    private const int NoMatch = -1;

    /// <summary>Builds a matcher whose entry ids are the patterns' indexes.</summary>
    private static ResourceMatcher Build(params string[] patterns)
    {
        var entries = new List<(PathPattern, int)>(patterns.Length);
        for (var i = 0; i < patterns.Length; i++)
        {
            Assert.True(PathPattern.TryParse(patterns[i], out var pattern, out var error), error);
            entries.Add((pattern, i));
        }

        return ResourceMatcher.Build(entries);
    }

    private static int MatchedEntry(ResourceMatcher matcher, string path) =>
        matcher.TryMatch(path, out var match) ? match.EntryId : NoMatch;

    [Theory]
    [InlineData("/v1/chat/completions", 0)]
    [InlineData("/v1/chat/completions/", 0)]
    [InlineData("/v1/chat", NoMatch)]
    [InlineData("/v1/chat/completions/x", NoMatch)]
    [InlineData("/v1/chat/completionsx", NoMatch)]
    [InlineData("/v1/chat/completion", NoMatch)]
    [InlineData("/v1/chat/completions//", NoMatch)]
    public void Exact_pattern_matches_only_its_path_with_or_without_one_trailing_slash(string path, int expected)
    {
        var matcher = Build("/v1/chat/completions");

        Assert.Equal(expected, MatchedEntry(matcher, path));
    }

    [Theory]
    [InlineData("/api/v1")]
    [InlineData("/api/v1/")]
    [InlineData("/api/v1/x")]
    [InlineData("/api/v1/x/")]
    [InlineData("/api/v1/x/y/z")]
    [InlineData("/api/v1//x")]
    public void Catch_all_matches_the_bare_prefix_and_everything_below(string path)
    {
        var matcher = Build("/api/v1/*");

        Assert.Equal(0, MatchedEntry(matcher, path));
    }

    [Theory]
    [InlineData("/api")]
    [InlineData("/api/v2")]
    [InlineData("/api/v1x")]
    [InlineData("/api/v1x/y")]
    [InlineData("/")]
    public void Catch_all_does_not_match_siblings_or_parents(string path)
    {
        var matcher = Build("/api/v1/*");

        Assert.Equal(NoMatch, MatchedEntry(matcher, path));
    }

    [Theory]
    [InlineData("/API/V1/x")]
    [InlineData("/Api/v1")]
    [InlineData("/aPi/V1/Deep/Path")]
    public void Literal_segments_compare_ignoring_ascii_case(string path)
    {
        var matcher = Build("/api/v1/*");

        Assert.Equal(0, MatchedEntry(matcher, path));
    }

    [Fact]
    public void Pattern_case_does_not_matter_either()
    {
        var matcher = Build("/V1/Chat/Completions");

        Assert.Equal(0, MatchedEntry(matcher, "/v1/chat/completions"));
    }

    [Theory]
    [InlineData("/\u017Fecret")]
    [InlineData("/secr\u0131t")]
    [InlineData("/\u212Aey")]
    public void Non_ascii_letters_are_not_folded_onto_ascii_ones(string path)
    {
        var matcher = Build("/secret", "/secrit", "/key");

        Assert.Equal(NoMatch, MatchedEntry(matcher, path));
    }

    [Theory]
    [InlineData("/users/42/orders", 0)]
    [InlineData("/users/abc/orders/", 0)]
    [InlineData("/users/orders", NoMatch)]
    [InlineData("/users//orders", NoMatch)]
    [InlineData("/users/1/2/orders", NoMatch)]
    [InlineData("/users/42/orders/7", NoMatch)]
    public void Inner_wildcard_matches_exactly_one_non_empty_segment(string path, int expected)
    {
        var matcher = Build("/users/*/orders");

        Assert.Equal(expected, MatchedEntry(matcher, path));
    }

    [Theory]
    [InlineData("/", 0)]
    [InlineData("/x", NoMatch)]
    public void Root_pattern_matches_only_the_root(string path, int expected)
    {
        var matcher = Build("/");

        Assert.Equal(expected, MatchedEntry(matcher, path));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/x")]
    [InlineData("/x/y/z/")]
    [InlineData("//")]
    public void Root_catch_all_matches_everything(string path)
    {
        var matcher = Build("/*");

        Assert.Equal(0, MatchedEntry(matcher, path));
    }

    [Theory]
    // Patterns: 0 "/a/b/c", 1 "/a/*/d", 2 "/a/b/*", 3 "/a/*", 4 "/*".
    [InlineData("/a/b/c", 0)]
    [InlineData("/a/b/d", 2)]
    [InlineData("/a/x/d", 1)]
    [InlineData("/a/x/e", 3)]
    [InlineData("/a/b", 2)]
    [InlineData("/a/b/c/d", 2)]
    [InlineData("/a", 3)]
    [InlineData("/b", 4)]
    [InlineData("/", 4)]
    public void Literal_beats_wildcard_which_beats_catch_all_at_each_segment(string path, int expected)
    {
        var matcher = Build("/a/b/c", "/a/*/d", "/a/b/*", "/a/*", "/*");

        Assert.Equal(expected, MatchedEntry(matcher, path));
    }

    [Fact]
    public void Matching_backtracks_from_a_literal_dead_end_to_the_wildcard()
    {
        var matcher = Build("/a/b/c", "/a/*/d");

        Assert.Equal(1, MatchedEntry(matcher, "/a/b/d"));
        Assert.Equal(0, MatchedEntry(matcher, "/a/b/c"));
    }

    [Fact]
    public void Matching_backtracks_over_several_levels()
    {
        var matcher = Build("/a/b/c/d/e", "/a/*/c/d/f", "/*/b/c/d/g");

        Assert.Equal(0, MatchedEntry(matcher, "/a/b/c/d/e"));
        Assert.Equal(1, MatchedEntry(matcher, "/a/b/c/d/f"));
        Assert.Equal(2, MatchedEntry(matcher, "/a/b/c/d/g"));
        Assert.Equal(NoMatch, MatchedEntry(matcher, "/a/b/c/d/h"));
    }

    [Fact]
    public void Matching_backtracks_to_a_shallower_catch_all()
    {
        var matcher = Build("/a/b/c/d", "/a/*");

        Assert.Equal(1, MatchedEntry(matcher, "/a/b/c/x"));
        Assert.Equal(1, MatchedEntry(matcher, "/a/b/c"));
    }

    [Theory]
    [InlineData("/api/v1/admin/x", 0)]
    [InlineData("/api/v1/admin", 0)]
    [InlineData("/api/v1/users", 1)]
    [InlineData("/api/v2", 1)]
    [InlineData("/API/V1/ADMIN/x", 0)]
    public void More_specific_catch_all_beats_a_shorter_one(string path, int expected)
    {
        var matcher = Build("/api/v1/admin/*", "/api/*");

        Assert.Equal(expected, MatchedEntry(matcher, path));
    }

    [Theory]
    [InlineData("/api/v1", 0)]
    [InlineData("/api/v1/", 0)]
    [InlineData("/api/v1/x", 1)]
    public void Exact_pattern_beats_a_catch_all_that_matches_nothing(string path, int expected)
    {
        var matcher = Build("/api/v1", "/api/v1/*");

        Assert.Equal(expected, MatchedEntry(matcher, path));
    }

    [Fact]
    public void Wildcard_followed_by_catch_all_needs_the_wildcard_segment()
    {
        var matcher = Build("/t/*/*");

        Assert.Equal(NoMatch, MatchedEntry(matcher, "/t"));
        Assert.Equal(NoMatch, MatchedEntry(matcher, "/t/"));
        Assert.Equal(0, MatchedEntry(matcher, "/t/x"));
        Assert.Equal(0, MatchedEntry(matcher, "/t/x/y/z"));
    }

    [Theory]
    [InlineData("/v1/chat/completions", "/v1/chat/completions", -1)]
    [InlineData("/v1/chat/completions", "/v1/chat/completions/", -1)]
    [InlineData("/users/*/orders", "/users/7/orders", -1)]
    [InlineData("/api/v1/*", "/api/v1", 7)]
    [InlineData("/api/v1/*", "/api/v1/", 7)]
    [InlineData("/api/v1/*", "/api/v1/x", 7)]
    [InlineData("/api/v1/*", "/api/v1/x/y/", 7)]
    [InlineData("/API/V1/*", "/api/v1/x", 7)]
    [InlineData("/t/*/*", "/t/abc/def", 6)]
    [InlineData("/t/*/*", "/t/abc", 6)]
    [InlineData("/*", "/", 0)]
    [InlineData("/*", "/x/y", 0)]
    public void Remainder_start_marks_what_the_catch_all_matched(string pattern, string path, int remainderStart)
    {
        var matcher = Build(pattern);

        Assert.True(matcher.TryMatch(path, out var match));
        Assert.Equal(0, match.EntryId);
        Assert.Equal(remainderStart, match.RemainderStart);
    }

    [Fact]
    public void Remainder_start_belongs_to_the_pattern_that_won_after_backtracking()
    {
        var matcher = Build("/a/b/c/d", "/a/*");

        Assert.True(matcher.TryMatch("/a/b/c/x", out var match));
        Assert.Equal(1, match.EntryId);
        Assert.Equal(2, match.RemainderStart);
        Assert.Equal("/b/c/x", "/a/b/c/x"[match.RemainderStart..]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("*")]
    [InlineData("//")]
    [InlineData("///")]
    [InlineData("/a//b")]
    [InlineData("//a")]
    [InlineData("/a/b//")]
    [InlineData("/a\u0000b")]
    public void Malformed_paths_do_not_throw(string path)
    {
        var matcher = Build("/a/b", "/a/*/c", "/x/*");

        var matched = matcher.TryMatch(path, out var match);

        Assert.False(matched && match.EntryId is not (0 or 1 or 2));
    }

    [Fact]
    public void An_empty_matcher_matches_nothing()
    {
        var matcher = ResourceMatcher.Build([]);

        Assert.False(matcher.TryMatch("/", out _));
        Assert.False(matcher.TryMatch("/anything", out _));
        Assert.Equal(0, matcher.Count);
    }

    [Fact]
    public void Entry_ids_are_the_callers_not_positions()
    {
        Assert.True(PathPattern.TryParse("/a", out var a, out _));
        Assert.True(PathPattern.TryParse("/b/*", out var b, out _));
        var matcher = ResourceMatcher.Build([(a, 17), (b, 4)]);

        Assert.Equal(17, MatchedEntry(matcher, "/a"));
        Assert.Equal(4, MatchedEntry(matcher, "/b/c"));
        Assert.Equal(2, matcher.Count);
    }

    [Theory]
    [InlineData("/api/v1/*", "/API/v1/*")]
    [InlineData("/a/b", "/A/B")]
    [InlineData("/a/*/c", "/a/*/c")]
    [InlineData("/", "/")]
    [InlineData("/*", "/*")]
    public void Duplicate_patterns_are_refused_at_build_time(string first, string second)
    {
        Assert.True(PathPattern.TryParse(first, out var a, out _));
        Assert.True(PathPattern.TryParse(second, out var b, out _));

        var error = Assert.Throws<ArgumentException>(() => ResourceMatcher.Build([(a, 0), (b, 1)]));
        Assert.Contains(a.Canonical, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a", "/a/*")]
    [InlineData("/a/*/b", "/a/*")]
    [InlineData("/a/b", "/a/*")]
    [InlineData("/", "/*")]
    public void Patterns_sharing_a_prefix_are_not_duplicates(string first, string second)
    {
        var matcher = Build(first, second);

        Assert.Equal(2, matcher.Count);
    }

    [Fact]
    public void Negative_entry_ids_are_refused()
    {
        Assert.True(PathPattern.TryParse("/a", out var a, out _));

        Assert.Throws<ArgumentOutOfRangeException>(() => ResourceMatcher.Build([(a, -1)]));
    }

    [Fact]
    public void A_thousand_generated_patterns_each_match_their_own_sample_path()
    {
        // Four shapes over shared prefixes, so the trie has wide nodes, deep chains and competing
        // wildcards: /svc{s}/v{v}/r{i} (exact), /svc{s}/v{v}/c{i}/* (catch-all),
        // /svc{s}/*/w{i}/leaf (inner wildcard), /svc{s}/v{v}/m{i}/*/x (wildcard then literal).
        const int count = 1000;
        var patterns = new string[count];
        var samples = new string[count];
        for (var i = 0; i < count; i++)
        {
            var prefix = $"/svc{i % 13}/v{i % 3}";
            (patterns[i], samples[i]) = (i % 4) switch
            {
                0 => ($"{prefix}/r{i}", $"{prefix.ToUpperInvariant()}/R{i}/"),
                1 => ($"{prefix}/c{i}/*", $"{prefix}/c{i}/deep/er/path"),
                2 => ($"/svc{i % 13}/*/w{i}/leaf", $"/svc{i % 13}/anything/w{i}/leaf"),
                _ => ($"{prefix}/m{i}/*/x", $"{prefix}/m{i}/id-{i}/x"),
            };
        }

        var matcher = Build(patterns);

        Assert.Equal(count, matcher.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.True(matcher.TryMatch(samples[i], out var match), samples[i]);
            Assert.Equal(i, match.EntryId);
        }

        Assert.Equal(NoMatch, MatchedEntry(matcher, "/svc1/v1/r999999"));
        Assert.Equal(NoMatch, MatchedEntry(matcher, "/svc99/v0/r0"));
    }

    [Fact]
    public void TryMatch_allocates_nothing()
    {
        var matcher = Build("/v1/chat/completions", "/api/v1/*", "/api/v1/admin/*", "/users/*/orders", "/a/b/c", "/a/*/d", "/*");
        string[] paths = ["/v1/chat/completions/", "/API/V1/x/y", "/api/v1/admin/z", "/users/42/orders", "/a/b/d", "/nothing/here", "/a//b"];

        var sink = 0;
        for (var i = 0; i < 1000; i++)
        {
            sink += Run(matcher, paths);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sink += Run(matcher, paths);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sink);

        static int Run(ResourceMatcher matcher, string[] paths)
        {
            var sum = 0;
            for (var p = 0; p < paths.Length; p++)
            {
                if (matcher.TryMatch(paths[p], out var match))
                {
                    sum += match.EntryId + match.RemainderStart;
                }
            }

            return sum;
        }
    }
}
