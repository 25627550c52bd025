using System.Diagnostics;
using ContainerSdk.Core.Diagnostics;

/// <summary>The engine's lines on the console, each with the seconds since the log was made (bench/coldlayer, bench/freshrunner).</summary>
internal sealed class ConsoleLog : IBuildLog
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    public void Info(string message) => Console.WriteLine($"{_clock.Elapsed.TotalSeconds,7:0.00} {message}");
    public void Detail(string message) => Console.WriteLine($"{_clock.Elapsed.TotalSeconds,7:0.00}   {message}");
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Console.WriteLine($"warning {code}: {message}");
}
