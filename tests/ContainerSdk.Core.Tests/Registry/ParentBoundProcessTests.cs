using System.Diagnostics;
using ContainerSdk.Tests.Registry;

namespace ContainerSdk.Tests.RegistryFixture;

/// <summary>
/// Servers the tests start cannot outlive the test process: the watchdog's pipe has no writer but this process,
/// so this process ending (any way) is the pipe closing, which stops the server.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ParentBoundProcessTests
{
    private static string? Link(string path)
    {
        try { return new FileInfo(path).LinkTarget; } catch (IOException) { return null; } catch (UnauthorizedAccessException) { return null; }
    }

    private static IEnumerable<int> Holders(string pipe) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(int.Parse!)
            .Where(pid =>
            {
                try { return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => Link(fd) == pipe); }
                catch (IOException) { return false; } catch (UnauthorizedAccessException) { return false; }
            });

    private static string Cmdline(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline"); }
        catch (IOException) { return ""; }
    }

    [Fact]
    public async Task Server_stops_when_the_test_process_side_of_the_pipe_closes_and_nobody_else_holds_it()
    {
        using var dir = new TempDir("watchdog");
        var server = ParentBoundProcess.Start(Path.Combine(dir.Path, "server.log"), "/bin/sleep", ["600"]);
        var watchdog = server.WatchdogId;
        int child = 0;
        for (var i = 0; i < 200 && child == 0; i++, await Task.Delay(10, TestContext.Current.CancellationToken))
            child = File.ReadAllText($"/proc/{watchdog}/task/{watchdog}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).FirstOrDefault();
        Assert.NotEqual(0, child);
        // The forked shell redirects stdin and execs the server a moment after it appears: look once it is the server.
        Assert.True(SpinWait.SpinUntil(() => Cmdline(child).StartsWith("/bin/sleep\0", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), "the server did not start");
        Assert.Equal("/dev/null", Link($"/proc/{child}/fd/0"));

        // Another process started later must not inherit the write end (it would keep the server alive).
        using var bystander = Process.Start(new ProcessStartInfo("/bin/sleep", "30") { RedirectStandardInput = true, UseShellExecute = false })!;
        var pipe = Link($"/proc/{watchdog}/fd/0")!;
        Assert.StartsWith("pipe:", pipe);
        Assert.Equal(new[] { Environment.ProcessId, watchdog }.Order(), Holders(pipe).Order());

        server.Dispose(); // closes this process's end, as its death would
        Assert.True(SpinWait.SpinUntil(() => !Directory.Exists($"/proc/{child}"), TimeSpan.FromSeconds(5)), "the server outlived its pipe");
        bystander.Kill();
    }
}
