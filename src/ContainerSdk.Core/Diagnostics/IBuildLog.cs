namespace ContainerSdk.Core.Diagnostics;

/// <summary>Where the engine reports progress and warnings; the tasks forward it to MSBuild's logger.</summary>
internal interface IBuildLog
{
    /// <summary>One line a user sees at normal verbosity (one per layer, per output).</summary>
    void Info(string message);

    /// <summary>Detail for -v:d (why a layer was rebuilt, timings).</summary>
    void Detail(string message);

    /// <summary>
    /// A line a user sees at the default verbosity, as a long build goes: a layer or the bundle as it is written (a
    /// steady <see cref="ProgressTicker"/> line) and as it is finished. Work that was skipped (unchanged) is
    /// <see cref="Info"/>, so a no-op build prints nothing more than its summary. A log that knows no verbosity
    /// treats it as any other line.
    /// </summary>
    void Progress(string message) => Info(message);

    void Warning(string code, string message, string? file = null, int line = 0, int column = 0);

    /// <summary>
    /// A warning about one item of the project (a BaseLayer, a Module), as <see cref="ContainerSdkException.About"/> is
    /// for an error: the tasks report it at the item's file and line. A log that knows no items reports it as any other.
    /// </summary>
    void WarningAbout(string itemType, string itemSpec, string code, string message) => Warning(code, message);
}

/// <summary>A log that drops everything; for tests and benchmarks that only want results.</summary>
internal sealed class NullBuildLog : IBuildLog
{
    public static readonly NullBuildLog Instance = new();
    public void Info(string message) { }
    public void Detail(string message) { }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) { }
}
