using System.Text;
using EdgeFence.DemoOrigin;

// Usage: edgefence-demo-origin [--urls=http://127.0.0.1:5080] --DemoOrigin:HmacSecret=<site hmacSecret>
// (or DEMOORIGIN__HMACSECRET). Every request but /healthz is verified and echoed as JSON.
var builder = WebApplication.CreateSlimBuilder(args);
if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

// Bodies are hashed as they stream in, never buffered, so there is no reason to cap their size here:
// the demo and the tests send large uploads through the edge.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

// One line per request would drown the demo's output; startup and errors still show.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var app = builder.Build();
var secretText = app.Configuration["DemoOrigin:HmacSecret"];
if (string.IsNullOrEmpty(secretText))
{
    app.Logger.LogWarning("DemoOrigin:HmacSecret is not set: every request will report signatureValid=false");
}

var verifier = new SignatureVerifier(Encoding.UTF8.GetBytes(secretText ?? ""), TimeProvider.System);

app.MapGet("/healthz", () => Results.Text("ok"));
app.MapGet("/download/{bytes}", context => DownloadEndpoint.HandleAsync(context, verifier));

// Everything else, any method: the lowest-precedence route, so the two above win where they match.
app.Map("/{**path}", context => EchoEndpoint.HandleAsync(context, verifier));

app.Run();
