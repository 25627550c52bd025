using System.Runtime.InteropServices;

namespace ContainerSdk.Core.IO;

/// <summary>
/// Appends one file to another inside the kernel (copy_file_range): no bytes pass through the process, and
/// file systems that share extents (XFS, Btrfs) copy none at all. Assembling a bundle from cached segments
/// is then bound by metadata, not by its size. Falls back to a plain copy where the call is unsupported.
/// </summary>
internal static class FileAppend
{
    [DllImport("libc", SetLastError = true, EntryPoint = "copy_file_range")]
    private static extern nint CopyFileRange(int fdIn, ref long offIn, int fdOut, ref long offOut, nuint length, uint flags);

    private static bool _unsupported;

    public static void Append(string source, FileStream destination)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        AppendRange(input, 0, input.Length, destination);
    }

    /// <summary>Appends <paramref name="length"/> bytes of <paramref name="input"/> from <paramref name="offset"/> (a bundle segment inside a layer blob).</summary>
    public static void AppendRange(FileStream input, long offset, long length, FileStream destination)
    {
        if (!_unsupported && TryKernelCopy(input, offset, destination, length)) return;
        input.Position = offset;
        var buffer = new byte[1 << 20];
        for (long left = length; left > 0;)
        {
            int n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n <= 0) throw new EndOfStreamException($"'{input.Name}' ended {left} bytes before the range to copy did.");
            destination.Write(buffer, 0, n);
            left -= n;
        }
    }

    private static bool TryKernelCopy(FileStream input, long start, FileStream output, long length)
    {
        output.Flush();
        long before = output.Position;
        try
        {
            int fdIn = (int)input.SafeFileHandle.DangerousGetHandle();
            int fdOut = (int)output.SafeFileHandle.DangerousGetHandle();
            long offset = start, at = before;
            while (offset < start + length)
            {
                // Explicit offsets on both sides: .NET writes with pwrite and keeps its own position, so the
                // descriptor's file offset says nothing about where the stream is.
                nint n = CopyFileRange(fdIn, ref offset, fdOut, ref at, (nuint)(start + length - offset), 0);
                if (n <= 0)
                {
                    if (offset == start) { _unsupported = n < 0; return false; }
                    throw new IOException($"copy_file_range stopped after {offset - start} of {length} bytes (errno {Marshal.GetLastPInvokeError()}).");
                }
            }
            // FileStream tracks its own position: move it to where the kernel left the file.
            output.Seek(before + length, SeekOrigin.Begin);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unsupported = true;
            return false;
        }
    }
}
