using System.Security.Cryptography;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// The SHA-256 of a cached bundle segment, kept beside it ("&lt;segment&gt;.sha256"). A segment is named after its
/// entries, not its bytes, so without this a segment damaged on disk (a flipped byte keeps the size) would be copied
/// into every later bundle. As for cached layers, the segment's inode and ctime are recorded with its digest: while
/// they are unchanged the segment is trusted and appended inside the kernel; otherwise it is hashed as it is copied,
/// and one that does not match is compressed again.
/// </summary>
internal static class SegmentSum
{
    public static string PathOf(string segment) => segment + ".sha256";

    /// <summary>Records the segment's digest (taken while it was written); a segment without one is treated as damaged.</summary>
    public static void Record(string segment, Oci.Digest digest)
    {
        using var temp = new TempFile(PathOf(segment));
        temp.WriteAllText(digest.Hex + "\n" + FileIdentity.StampOf(segment) + "\n");
        temp.Commit();
    }

    public static bool IsRecorded(string segment) => File.Exists(segment) && File.Exists(PathOf(segment));

    /// <summary>Copies the segment to <paramref name="output"/>; false (and the segment and its sum deleted) when its bytes are not the recorded ones.</summary>
    public static bool CopyVerified(string segment, FileStream output)
    {
        string expected, stamp;
        try
        {
            var lines = File.ReadAllLines(PathOf(segment));
            expected = lines.Length > 0 ? lines[0].Trim() : "";
            stamp = lines.Length > 1 ? lines[1].Trim() : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { expected = stamp = ""; }
        if (stamp.Length > 0 && stamp == FileIdentity.StampOf(segment))
        {
            FileAppend.Append(segment, output);
            return true;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        using (var member = File.OpenRead(segment))
        {
            int read;
            while ((read = member.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
            }
        }
        if (Convert.ToHexString(hash.GetHashAndReset()).Equals(expected, StringComparison.OrdinalIgnoreCase)) return true;
        FileCleanup.TryDelete(segment);
        FileCleanup.TryDelete(PathOf(segment));
        return false;
    }

}
