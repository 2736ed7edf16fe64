using EdgeFence.LoadBaseline;

// Usage: edgefence-load-baseline origin [--urls=http://127.0.0.1:0]
//        edgefence-load-baseline yarp <origin URL> [--urls=http://127.0.0.1:0]
//        edgefence-load-baseline hello [--urls=http://127.0.0.1:0]
// Each mode prints "edgefence-load-baseline <mode> listening on <url>" once it accepts connections
// (port 0 resolved) and stops on SIGTERM or Ctrl-C.
if (args.Length == 0)
{
    return Fail("a mode is required: origin, yarp <origin URL>, or hello");
}

var mode = args[0];
var rest = args[1..];
var builder = BaselineHost.CreateBuilder(rest);
WebApplication app;
switch (mode)
{
    case "origin":
        app = builder.Build();
        app.Run(OriginEndpoints.HandleAsync);
        break;

    case "yarp":
        if (rest.Length == 0 || !Uri.TryCreate(rest[0], UriKind.Absolute, out var origin) || origin.Scheme is not ("http" or "https"))
        {
            return Fail("yarp needs the origin's absolute http(s) URL as its first argument");
        }

        BareForwarder.AddServices(builder.Services);
        app = builder.Build();
        BareForwarder.Map(app, origin.GetLeftPart(UriPartial.Authority));
        break;

    case "hello":
        app = builder.Build();
        app.Run(HelloEndpoint.HandleAsync);
        break;

    default:
        return Fail($"unknown mode '{mode}' (modes: origin, yarp, hello)");
}

await BaselineHost.RunAsync(app, mode).ConfigureAwait(false);
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine($"edgefence-load-baseline: {message}");
    return 2;
}
