using EdgeFence.DemoStripe;

// The local Stripe API of scripts/demo.sh: listens on DemoStripe:Url (loopback only) with the secret key from
// DEMOSTRIPE__APIKEY (the environment, not the command line, where ps would show it), and runs until stopped.
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var url = configuration["DemoStripe:Url"] ?? "http://127.0.0.1:12111";
if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsLoopback)
{
    Console.Error.WriteLine($"edgefence-demo-stripe: DemoStripe:Url '{url}' must be a loopback http URL: this is a local stand-in for Stripe, not a service");
    return 2;
}

var apiKey = configuration["DemoStripe:ApiKey"];
if (string.IsNullOrEmpty(apiKey))
{
    Console.Error.WriteLine("edgefence-demo-stripe: set DEMOSTRIPE__APIKEY, the secret key this local account accepts");
    return 2;
}

await using var stripe = await LocalStripeApi.StartAsync(apiKey, url);
Console.WriteLine($"demo stripe listening on {stripe.Url}");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
return 0;
