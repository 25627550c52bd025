using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Tests;

/// <summary>The engine's log, kept for assertions: messages and warnings (code and text), safe from parallel layer builds.</summary>
public sealed class RecordingLog : IBuildLog
{
    public List<string> Infos { get; } = new();
    public List<(string Code, string Message)> Warnings { get; } = new();
    public void Info(string message) { lock (Infos) Infos.Add(message); }
    public void Detail(string message) { }
    /// <summary>Where each warning points, in the order of <see cref="Warnings"/>.</summary>
    public List<(string? File, int Line)> WarningPositions { get; } = new();

    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0)
    {
        lock (Warnings)
        {
            Warnings.Add((code, message));
            WarningPositions.Add((file, line));
        }
    }
}
