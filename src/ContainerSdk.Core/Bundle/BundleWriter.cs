using System.Diagnostics;
using System.IO.Compression;
using ContainerSdk.Core.Build;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Oci;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Writes the bundle: the layers flattened into one gzip'd tar (ACLs inside as PAX records) and the ACL
/// dump beside it, for extractors that drop PAX ACLs. Both are written to temporary files and renamed,
/// the dump first, so a bundle on disk always has its dump.
/// </summary>
public static class BundleWriter
{
    public static void Write(IReadOnlyList<BuiltLayer> layers, string bundlePath, string aclPath, long epoch, IBuildLog log)
    {
        var clock = Stopwatch.StartNew();
        long entries = 0;
        using var acls = new BundleAclDump(aclPath);
        using var bundleTemp = new TempFile(bundlePath);
        using (var output = new FileStream(bundleTemp.Path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        using (var tar = new TarWriter(gzip, leaveOpen: true))
        using (var merge = new LayerMerge(layers))
        {
            merge.Run((header, content) =>
            {
                header.ModificationTime = epoch;
                tar.WriteEntry(header, content);
                acls.Add(header);
                entries++;
            });
            tar.Finish();
        }

        acls.Commit();
        bundleTemp.Commit();
        log.Info($"Bundle {bundlePath}: {entries} entries from {layers.Count} layers, {Layers.LayerStackBuilder.Size(new FileInfo(bundlePath).Length)}, " +
                 $"{acls.Count} paths with ACLs in {aclPath}, {clock.Elapsed.TotalSeconds:0.00} s");
    }
}
