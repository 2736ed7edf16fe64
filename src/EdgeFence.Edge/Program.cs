using EdgeFence.Edge.Hosting;

try
{
    await using var server = await EdgeServer.StartAsync(args).ConfigureAwait(false);
    await server.WaitForShutdownAsync().ConfigureAwait(false);
    await server.StopAsync().ConfigureAwait(false);
    return 0;
}
catch (EdgeConfigurationException ex)
{
    // One clear line naming the key, not a stack trace.
    await Console.Error.WriteLineAsync($"edgefence-edge: configuration error: {ex.Message}").ConfigureAwait(false);
    return 2;
}
