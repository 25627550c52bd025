namespace ContainerSdk.Core.IO;

/// <summary>
/// Names of temporary files the OCI writers create next to their targets (then rename): one recognizable prefix so
/// that a later build can delete what a killed build left behind.
/// </summary>
internal static class TempFiles
{
    public const string Prefix = ".csdk-tmp-";

    public static string NewName(string what) => $"{Prefix}{what}-{Guid.NewGuid():N}";

    public static bool IsTemp(string fileName) => fileName.StartsWith(Prefix, StringComparison.Ordinal);
}
