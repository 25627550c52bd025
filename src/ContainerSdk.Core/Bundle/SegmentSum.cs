using System.Security.Cryptography;
using ContainerSdk.Core.IO;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// The SHA-256 of a cached bundle segment, kept beside it ("&lt;segment&gt;.sha256"). A segment is named after its
/// entries, not its bytes, so without this a segment damaged on disk (a flipped byte keeps the size) would be copied
/// into every later bundle. The bundle writer hashes each segment as it copies it and compresses again any that
/// does not match.
/// </summary>
internal static class SegmentSum
{
    public static string PathOf(string segment) => segment + ".sha256";

    /// <summary>Records the segment's digest; a segment without one is treated as damaged.</summary>
    public static void Record(string segment)
    {
        string hex;
        using (var stream = File.OpenRead(segment)) hex = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        using var temp = new TempFile(PathOf(segment));
        File.WriteAllText(temp.Path, hex + "\n");
        temp.Commit();
    }

    public static bool IsRecorded(string segment) => File.Exists(segment) && File.Exists(PathOf(segment));

    /// <summary>Copies the segment to <paramref name="output"/>; false (and the segment and its sum deleted) when its bytes are not the recorded ones.</summary>
    public static bool CopyVerified(string segment, Stream output)
    {
        string expected;
        try { expected = File.ReadAllText(PathOf(segment)).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { expected = ""; }
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
        TryDelete(segment);
        TryDelete(PathOf(segment));
        return false;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
