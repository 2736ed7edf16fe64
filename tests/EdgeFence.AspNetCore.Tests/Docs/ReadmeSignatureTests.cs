using System.ComponentModel;
using System.Diagnostics;
using EdgeFence.AspNetCore.Tests.Infrastructure;

namespace EdgeFence.AspNetCore.Tests.Docs;

/// <summary>The README's signature documentation is executable: its test vector and its Python example are checked.</summary>
public sealed class ReadmeSignatureTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));

    /// <summary>The first ```python block after the "Verifying in Python" heading, exactly as printed.</summary>
    private static string PythonExample()
    {
        var heading = Readme.IndexOf("\n### Verifying in Python\n", StringComparison.Ordinal);
        Assert.True(heading >= 0, "README.md has no '### Verifying in Python' heading");
        var start = Readme.IndexOf("```python\n", heading, StringComparison.Ordinal);
        Assert.True(start >= 0, "no ```python block under '### Verifying in Python'");
        start += "```python\n".Length;
        var end = Readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return Readme[start..(end + 1)];
    }

    [Fact]
    public void The_readme_prints_the_test_vector_the_tests_use()
    {
        var table = Readme[Readme.IndexOf("### Test vector", StringComparison.Ordinal)..Readme.IndexOf("### Verifying in Python", StringComparison.Ordinal)];
        foreach (var value in new[] { TestVector.Key, TestVector.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), TestVector.Method, TestVector.Target, TestVector.TokenId, TestVector.Customer, TestVector.Plan, TestVector.RequestId, TestVector.Charged, TestVector.Header, TestVector.HeaderV1 })
        {
            Assert.Contains($"`{value}`", table, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_readme_python_example_verifies_the_test_vector_and_refuses_changes()
    {
        var mac = TestVector.Header[(TestVector.Header.IndexOf("v2=", StringComparison.Ordinal) + 3)..];
        var harness = $$"""

            headers = {
                "X-EdgeFence-Signature": "{{TestVector.Header}}",
                "X-EdgeFence-Token-Id": "{{TestVector.TokenId}}",
                "X-EdgeFence-Customer": "{{TestVector.Customer}}",
                "X-EdgeFence-Plan": "{{TestVector.Plan}}",
                "X-EdgeFence-Request-Id": "{{TestVector.RequestId}}",
                "X-EdgeFence-Charged": "{{TestVector.Charged}}",
            }
            secret, method, target, t = "{{TestVector.Key}}", "{{TestVector.Method}}", "{{TestVector.Target}}", {{TestVector.Timestamp}}

            def check(name, expected, **changes):
                h = dict(headers)
                h.update(changes.pop("headers", {}))
                args = dict(secret=secret, headers=h, method=method, raw_target=target, now=t)
                args.update(changes)
                got = edgefence_signature_valid(**args)
                if got is not expected:
                    raise SystemExit(f"{name}: expected {expected}, got {got}")

            check("the vector", True)
            check("300 s later", True, now=t + 300)
            check("300 s earlier", True, now=t - 300)
            check("301 s later", False, now=t + 301)
            check("another path", False, raw_target="/internal/chat?x=2&api_key=k")
            check("another method", False, method="GET")
            check("another customer", False, headers={"X-EdgeFence-Customer": "globex"})
            check("another secret", False, secret="another-hmac-secret-of-at-least-32-bytes")
            check("another charge", False, headers={"X-EdgeFence-Charged": "25000 USD"})
            check("charge removed", False, headers={"X-EdgeFence-Charged": ""})
            check("version 1, no charge", True, headers={"X-EdgeFence-Signature": "{{TestVector.HeaderV1}}", "X-EdgeFence-Charged": ""})
            check("version 1 with a charge", False, headers={"X-EdgeFence-Signature": "{{TestVector.HeaderV1}}"})
            check("uppercase hex", False, headers={"X-EdgeFence-Signature": "t={{TestVector.Timestamp}},v2={{mac.ToUpperInvariant()}}"})
            check("no signature", False, headers={"X-EdgeFence-Signature": ""})
            check("non-ASCII digits", False, headers={"X-EdgeFence-Signature": "t=\u00b2,v2={{mac}}"})
            print("ok")
            """;
        var script = Path.Combine(Path.GetTempPath(), $"edgefence-readme-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, PythonExample() + harness);
        try
        {
            var (exitCode, output) = await RunPythonAsync(script);
            Assert.True(exitCode == 0, $"python3 exited with {exitCode}:\n{output}");
            Assert.Equal("ok", output.Trim());
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunPythonAsync(string script)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"python3 is required to check the README's Python example and could not be started ({ex.Message}). Install it (Debian: apt-get install python3).");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
