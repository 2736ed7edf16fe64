namespace EdgeFence.DemoOrigin;

/// <summary>The host settings both of the demo origin's listeners share (and the tests reuse).</summary>
public static class DemoOriginHost
{
    /// <summary>The proxy-mode listener's address unless <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) says otherwise.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>A builder listening on <paramref name="urls"/>, or when null on the configured <c>urls</c> or <see cref="DefaultUrls"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, string? urls)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        if (urls is not null || string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(urls ?? DefaultUrls);
        }

        // Bodies are hashed as they stream in, never buffered, so there is no reason to cap their size
        // here: the demo and the tests send large uploads through the edge.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

        // One line per request would drown the demo's output; startup and errors still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return builder;
    }
}
