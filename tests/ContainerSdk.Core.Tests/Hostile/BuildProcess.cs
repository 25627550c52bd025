using System.Diagnostics;
using System.Text;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Hostile;

/// <summary>The engine building one project in a child process (tests/ContainerSdk.BuildRunner), which a test can SIGKILL.</summary>
internal sealed class BuildProcess : IDisposable
{
    private static readonly string Runner = Path.Combine(AppContext.BaseDirectory, "ContainerSdk.BuildRunner.dll");
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    /// <param name="cache">ContainerCacheDirectory, or null for the project's obj/.</param>
    public BuildProcess(string project, string baseDir, string module, IDictionary<string, string>? environment = null, string? cache = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Runner, project, baseDir, module }.Concat(cache is null ? Array.Empty<string>() : new[] { cache })) start.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine("stderr " + e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Waits until the build printed a line starting with <paramref name="prefix"/>; false if it ended first.</summary>
    public bool WaitForLine(string prefix, int timeoutMs = 60_000)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < timeoutMs)
        {
            if (Output.Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal))) return true;
            if (_process.HasExited) return false;
            Thread.Sleep(2);
        }
        return false;
    }

    /// <summary>SIGKILL: no finally block, no flush, no cleanup runs in the child.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } // already gone
        _process.WaitForExit();
    }

    /// <summary>Waits for the build to end; returns its exit code and output.</summary>
    public (int ExitCode, string Output) Wait(int timeoutMs = 120_000)
    {
        if (!_process.WaitForExit(timeoutMs))
        {
            Kill();
            throw new TimeoutException("The build did not finish in time (a hang?):\n" + Output);
        }
        _process.WaitForExit(); // drains the output events
        return (_process.ExitCode, Output);
    }

    /// <summary>Runs a build to the end and returns the manifest digest it printed.</summary>
    public static string Complete(string project, string baseDir, string module, string? cache = null)
    {
        using var build = new BuildProcess(project, baseDir, module, cache: cache);
        var (code, output) = build.Wait();
        Assert.True(code == 0, $"build failed ({code}):\n{output}");
        return output.Split('\n').Single(l => l.StartsWith("done ", StringComparison.Ordinal))["done ".Length..].Trim();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
