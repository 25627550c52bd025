using System.Text.RegularExpressions;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Blobs;

namespace ContainerSdk.Core.Images;

/// <summary>
/// Tells an image archive (oci-archive, docker-archive) from a root filesystem tarball by the names of its first
/// entries: image archives hold only oci-layout, index.json, manifest.json, repositories, blobs/ and files named by
/// a 64-hex id; a root filesystem holds none of those at its top. Only a few headers are read.
/// </summary>
internal static partial class ImageArchiveProbe
{
    private const int EntriesLooked = 8;

    [GeneratedRegex("^([0-9a-f]{64}(\\.json|\\.tar|/.*)?|blobs(/.*)?|oci-layout|index\\.json|manifest\\.json|repositories)$")]
    private static partial Regex ImageEntryName();

    public static bool IsImageArchive(string path, string itemSpec)
    {
        try
        {
            using var stream = Decompression.OpenDecompressed(path);
            using var reader = new TarReader(stream, itemSpec);
            int seen = 0;
            while (seen < EntriesLooked && reader.Next() is { } header)
            {
                var name = TarPath.Key(TarPath.Normalize(header.Name));
                if (name.Length == 0) continue;
                if (!ImageEntryName().IsMatch(name)) return false;
                seen++;
            }
            return seen > 0;
        }
        catch (ContainerSdkException)
        {
            return false; // not a tar at all: the tarball planner reports it with its own message
        }
    }
}
