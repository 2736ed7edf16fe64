namespace EdgeFence.LoadBaseline;

/// <summary>The host settings every mode shares: the same Kestrel settings as the edge's public listener.</summary>
internal static class BaselineHost
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        // As src/EdgeFence.Edge/Hosting/EdgeServer.cs configures its public listener: no Server header, and
        // no cap on streamed bodies (the streaming runs send 100 MiB, beyond Kestrel's 30 MB default).
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        // No per-request console lines (ASP.NET Core's "Request starting/finished", YARP's "Proxying to"),
        // as nginx and haproxy run without access logs and the edge keeps only its decision log: a
        // console logger at 30,000 requests/s would be what is measured. Warnings and errors still show.
        // The edge sets the same defaults (src/EdgeFence.Edge/Hosting/EdgeServer.cs).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        return builder;
    }

    /// <summary>Starts, prints the bound address for the script to read, and runs until SIGTERM or Ctrl-C.</summary>
    public static async Task RunAsync(WebApplication app, string mode)
    {
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"edgefence-load-baseline {mode} listening on {string.Join(' ', app.Urls)}");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
    }
}
