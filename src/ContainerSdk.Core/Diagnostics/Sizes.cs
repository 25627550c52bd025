namespace ContainerSdk.Core.Diagnostics;

/// <summary>Byte counts as the log shows them.</summary>
internal static class Sizes
{
    public static string Format(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB",
    };
}
