using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>
/// A real 3-master Redis Cluster on loopback: three <c>redis-server --cluster-enabled yes</c> on free
/// ports (each with its own directory for nodes.conf, no persistence), joined by
/// <c>redis-cli --cluster create</c>, ready once every node reports <c>cluster_state:ok</c>.
/// Disposing kills the servers and deletes their directories.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private const int Masters = 3;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);

    private readonly List<Node> _nodes = [];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgefence-tests", "redis-cluster-" + Guid.NewGuid().ToString("N"));

    private RedisCluster()
    {
    }

    public IReadOnlyList<int> Ports => [.. _nodes.Select(n => n.Port)];

    /// <summary>Every master, comma-separated: StackExchange.Redis discovers the cluster from it.</summary>
    public string ConnectionString => string.Join(',', _nodes.Select(n => $"127.0.0.1:{n.Port}"));

    public static async Task<RedisCluster> StartAsync()
    {
        // Both before starting anything: a missing tool is a clear failure, not a timeout.
        var server = Executable("redis-server", "redis-server");
        var cli = Executable("redis-cli", "redis-tools");
        var cluster = new RedisCluster();
        try
        {
            await cluster.StartNodesAsync(server);
            await cluster.CreateAsync(cli);
            await cluster.WaitUntilOkAsync(cli);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs redis-cli against the first node (or <paramref name="port"/>) and returns its output; fails on a non-zero exit.</summary>
    public async Task<string> CliAsync(int? port, params string[] args)
    {
        var (exit, output) = await RunAsync(Executable("redis-cli", "redis-tools"), ["-h", "127.0.0.1", "-p", Text(port ?? _nodes[0].Port), .. args], TimeSpan.FromSeconds(10));
        if (exit != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', args)} exited {exit}:\n{output}");
        }

        return output;
    }

    /// <summary>Kills one master (SIGKILL, like a crashed host): its slots stay unserved, as no replica takes over.</summary>
    public async Task KillAsync(int port)
    {
        var node = _nodes.Single(n => n.Port == port);
        node.Process!.Kill();
        await node.Process.WaitForExitAsync();
    }

    private async Task StartNodesAsync(string server)
    {
        // The cluster bus gets its own free port (cluster-port) rather than port + 10000, which may be taken or beyond 65535.
        var ports = FreePorts(2 * Masters);
        for (var i = 0; i < Masters; i++)
        {
            var node = new Node(ports[2 * i], ports[(2 * i) + 1], Path.Combine(_root, "node-" + Text(i)));
            Directory.CreateDirectory(node.Dir);
            var info = new ProcessStartInfo(server) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                "--port", Text(node.Port), "--bind", "127.0.0.1", "--protected-mode", "no",
                "--cluster-enabled", "yes", "--cluster-port", Text(node.BusPort),
                // A dead master (no replicas here) must not take the other masters' slots down with it.
                "--cluster-require-full-coverage", "no",
                "--cluster-config-file", Path.Combine(node.Dir, "nodes.conf"), "--dir", node.Dir,
                "--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no",
            })
            {
                info.ArgumentList.Add(arg);
            }

            node.Process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
            node.Process.OutputDataReceived += (_, e) => node.Append(e.Data);
            node.Process.ErrorDataReceived += (_, e) => node.Append(e.Data);
            node.Process.BeginOutputReadLine();
            node.Process.BeginErrorReadLine();
            _nodes.Add(node);
        }

        foreach (var node in _nodes)
        {
            var deadline = DateTime.UtcNow + ReadyTimeout;
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, node.Port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !node.Process!.HasExited)
                {
                    await Task.Delay(20);
                }
                catch (SocketException)
                {
                    throw new InvalidOperationException($"redis-server (cluster node) did not listen on {node.Port}:\n{node.Log}");
                }
            }
        }
    }

    private async Task CreateAsync(string cli)
    {
        var args = new List<string> { "--cluster", "create" };
        args.AddRange(_nodes.Select(n => $"127.0.0.1:{n.Port}"));
        args.AddRange(["--cluster-replicas", "0", "--cluster-yes"]);
        var (exit, output) = await RunAsync(cli, args, ReadyTimeout);
        if (exit != 0 || !output.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-cli --cluster create exited {exit}:\n{output}\n{Logs()}");
        }
    }

    private async Task WaitUntilOkAsync(string cli)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var ok = true;
            foreach (var node in _nodes)
            {
                (_, last) = await RunAsync(cli, ["-h", "127.0.0.1", "-p", Text(node.Port), "cluster", "info"], TimeSpan.FromSeconds(5));
                if (!last.Contains("cluster_state:ok", StringComparison.Ordinal) || !last.Contains("cluster_known_nodes:" + Text(Masters), StringComparison.Ordinal))
                {
                    ok = false;
                    break;
                }
            }

            if (ok)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"the Redis Cluster did not reach cluster_state:ok with {Masters} known nodes within {ReadyTimeout.TotalSeconds} s; last cluster info:\n{last}\n{Logs()}");
    }

    private string Logs() => string.Join('\n', _nodes.Select(n => $"-- node {n.Port}:\n{n.Log}"));

    private static async Task<(int Exit, string Output)> RunAsync(string path, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException(path + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
            throw new TimeoutException($"{path} {string.Join(' ', info.ArgumentList)} did not finish within {timeout.TotalSeconds} s:\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or a failure naming the Debian package that ships it.</summary>
    private static string Executable(string name, string package)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin");
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} is not installed (Debian package {package}; scripts/test.sh installs it): the Redis Cluster tests need it");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Distinct free loopback ports: all listeners are held open together, so no port is handed out twice.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (node.Process is { HasExited: false })
            {
                node.Process.Kill();
                await node.Process.WaitForExitAsync();
            }

            node.Process?.Dispose();
        }

        _nodes.Clear();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never created: nothing to delete.
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }

    private sealed class Node(int port, int busPort, string dir)
    {
        private readonly StringBuilder _log = new();

        public int Port { get; } = port;
        public int BusPort { get; } = busPort;
        public string Dir { get; } = dir;
        public Process? Process { get; set; }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_log)
            {
                // The tail is what explains a failure; keep the log bounded.
                if (_log.Length > 64 * 1024)
                {
                    _log.Remove(0, _log.Length - 32 * 1024);
                }

                _log.AppendLine(line);
            }
        }
    }
}
