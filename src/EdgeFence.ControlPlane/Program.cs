using EdgeFence.ControlPlane.Hosting;

try
{
    await using var server = await ControlPlaneServer.StartAsync(args).ConfigureAwait(false);
    await server.WaitForShutdownAsync().ConfigureAwait(false);
    await server.StopAsync().ConfigureAwait(false);
    return 0;
}
catch (ControlPlaneConfigurationException ex)
{
    // One clear line naming the key, not a stack trace.
    await Console.Error.WriteLineAsync($"edgefence-controlplane: configuration error: {ex.Message}").ConfigureAwait(false);
    return 2;
}
