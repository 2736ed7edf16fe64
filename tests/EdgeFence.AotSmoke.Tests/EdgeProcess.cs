using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeFence.AotSmoke.Tests;

/// <summary>The native edge binary running as a child process on loopback ports it chose itself.</summary>
public sealed partial class EdgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<(string Public, string Admin)> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EdgeProcess(Process process)
    {
        _process = process;
    }

    public static string BinaryPath
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("EDGEFENCE_BINARY");
            Assert.False(string.IsNullOrEmpty(path), "EDGEFENCE_BINARY must point at the published edge (scripts/test.sh sets it)");
            Assert.True(File.Exists(path), $"EDGEFENCE_BINARY '{path}' does not exist");
            return Path.GetFullPath(path);
        }
    }

    public int Pid => _process.Id;
    public string PublicUrl { get; private set; } = "";
    public string AdminUrl { get; private set; } = "";
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>Milliseconds from process start to the listening line.</summary>
    public long StartMilliseconds { get; private set; }

    public static Process Launch(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(BinaryPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    public static async Task<EdgeProcess> StartAsync(string dataDir, params string[] extra)
    {
        var args = new List<string>
        {
            "--EdgeFence:Urls=http://127.0.0.1:0",
            "--EdgeFence:AdminUrls=http://127.0.0.1:0",
            $"--EdgeFence:DataDir={dataDir}",
            "--EdgeFence:NodeId=aot-smoke",
        };
        args.AddRange(extra);
        var clock = Stopwatch.StartNew();
        var edge = new EdgeProcess(Launch(args));
        edge._process.OutputDataReceived += (_, e) => edge.OnLine(e.Data);
        edge._process.ErrorDataReceived += (_, e) => edge.OnLine(e.Data);
        edge._process.BeginOutputReadLine();
        edge._process.BeginErrorReadLine();
        var exited = edge._process.WaitForExitAsync();
        var first = await Task.WhenAny(edge._listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(first == edge._listening.Task, "edge did not start:\n" + edge.Output);
        (edge.PublicUrl, edge.AdminUrl) = await edge._listening.Task;
        edge.StartMilliseconds = clock.ElapsedMilliseconds;
        return edge;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult((match.Groups[1].Value, match.Groups[2].Value));
        }
    }

    /// <summary>Resident set size now, from /proc.</summary>
    public long RssBytes() => ReadStatus("VmRSS:");

    /// <summary>Peak resident set size since start, from /proc.</summary>
    public long PeakRssBytes() => ReadStatus("VmHWM:");

    private long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]) * 1024;
            }
        }

        throw new InvalidOperationException(field + " not found");
    }

    /// <summary>SIGTERM and wait: the graceful path (drain, final checkpoint).</summary>
    public async Task<int> StopGracefullyAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (\S+) \(admin (\S+)\)")]
    private static partial Regex ListeningLine();
}
