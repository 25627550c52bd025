using System.Diagnostics;

namespace ContainerSdk.Tests;

/// <summary>
/// Runs the real tools tests compare against. A missing tool skips the test, saying which, except under
/// CI=true, where .ci/run installs every tool and a missing one is a failure.
/// </summary>
public static class Tools
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Full path of the tool, or null when it is not on PATH.</summary>
    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                     .Concat(new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Returns the tool's path; skips the test (or fails it under CI) when it is missing.</summary>
    public static string Require(string name)
    {
        var path = Find(name);
        if (path is not null) return path;
        if (InCi) Assert.Fail($"{name} is required under CI=true (.ci/run installs it) but is not on PATH.");
        Assert.Skip($"{name} is not installed; install it (see .ci/run) to run this test.");
        return null!;
    }

    /// <summary>Skips (or fails under CI) unless the test runs as root, for tools that need it (runc, setfacl on other owners).</summary>
    public static void RequireRoot(string why)
    {
        if (Environment.UserName == "root" || geteuid() == 0) return;
        if (InCi) Assert.Fail($"This test must run as root under CI=true: {why}");
        Assert.Skip($"Not root: {why}");
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public Result EnsureSuccess(string what)
        {
            if (ExitCode != 0) Assert.Fail($"{what} exited {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
            return this;
        }
    }

    public static Result Run(string file, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string?>? environment = null, TimeSpan? timeout = null, byte[]? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment)
                if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} timed out");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    /// <summary>Runs a tool whose output is binary (gzip -dc, tar -O) and returns its standard output as bytes.</summary>
    public static byte[] RunBytes(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        using var output = new MemoryStream();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Fail($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return output.ToArray();
    }
}
