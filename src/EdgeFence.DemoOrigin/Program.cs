using EdgeFence.AspNetCore;
using EdgeFence.DemoOrigin;

// Usage: edgefence-demo-origin [--urls=http://127.0.0.1:5080] --DemoOrigin:HmacSecret=<site hmacSecret>
//          [--DemoOrigin:EdgeUrl=<edge public URL> --DemoOrigin:OriginKey=<site origin key>
//           [--DemoOrigin:MiddlewareUrls=http://127.0.0.1:5081] [--DemoOrigin:FailurePolicy=FailClosed|FailOpen]]
// Settings also come from the environment (DEMOORIGIN__HMACSECRET, DEMOORIGIN__ORIGINKEY, ...), which
// is where secrets belong: a command line shows in ps.
// The main listener accepts only requests the edge signed (proxy mode). With EdgeUrl and OriginKey, a
// second listener serves the same routes to clients directly, asking the edge first (middleware mode).
var proxyBuilder = DemoOriginHost.CreateBuilder(args, urls: null);
var config = proxyBuilder.Configuration;
var secret = config["DemoOrigin:HmacSecret"];
var edgeUrl = config["DemoOrigin:EdgeUrl"];
var originKey = config["DemoOrigin:OriginKey"];

if (string.IsNullOrEmpty(secret))
{
    return Fail("DemoOrigin:HmacSecret is required (the site's hmacSecret): without it no request can be verified");
}

if (string.IsNullOrEmpty(edgeUrl) != string.IsNullOrEmpty(originKey))
{
    return Fail("DemoOrigin:EdgeUrl and DemoOrigin:OriginKey go together (middleware mode needs both)");
}

var failurePolicy = EdgeFenceFailurePolicy.FailClosed;
if (config["DemoOrigin:FailurePolicy"] is { Length: > 0 } policyText && !Enum.TryParse(policyText, ignoreCase: true, out failurePolicy))
{
    return Fail("DemoOrigin:FailurePolicy must be FailClosed or FailOpen");
}

if (!string.IsNullOrEmpty(edgeUrl) && !Uri.TryCreate(edgeUrl, UriKind.Absolute, out _))
{
    return Fail("DemoOrigin:EdgeUrl must be an absolute URL such as http://127.0.0.1:8080");
}

var proxyApp = proxyBuilder.Build();
ProxyModeOrigin.Configure(proxyApp, new EdgeFenceSignatureOptions(secret));
var apps = new List<WebApplication> { proxyApp };

if (!string.IsNullOrEmpty(edgeUrl))
{
    var middlewareUrls = config["DemoOrigin:MiddlewareUrls"] is { Length: > 0 } m ? m : "http://127.0.0.1:5081";
    var builder = DemoOriginHost.CreateBuilder(args, middlewareUrls);
    builder.Services.AddEdgeFenceAuthorize(options =>
    {
        options.EdgeUrl = new Uri(edgeUrl);
        options.OriginKey = originKey;
        options.FailurePolicy = failurePolicy;
    });
    var middlewareApp = builder.Build();
    MiddlewareModeOrigin.Configure(middlewareApp);
    apps.Add(middlewareApp);
}

// Both listeners stop on Ctrl-C or SIGTERM: each application's console lifetime hears the signal.
await Task.WhenAll(apps.Select(app => app.RunAsync()));
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine($"edgefence-demo-origin: {message}");
    return 2;
}
