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
        long length = input.Length;
        if (!_unsupported && TryKernelCopy(input, destination, length)) return;
        input.Position = 0;
        input.CopyTo(destination, 1 << 20);
    }

    private static bool TryKernelCopy(FileStream input, FileStream output, long length)
    {
        output.Flush();
        long before = output.Position;
        try
        {
            int fdIn = (int)input.SafeFileHandle.DangerousGetHandle();
            int fdOut = (int)output.SafeFileHandle.DangerousGetHandle();
            long offset = 0, at = before;
            while (offset < length)
            {
                // Explicit offsets on both sides: .NET writes with pwrite and keeps its own position, so the
                // descriptor's file offset says nothing about where the stream is.
                nint n = CopyFileRange(fdIn, ref offset, fdOut, ref at, (nuint)(length - offset), 0);
                if (n <= 0)
                {
                    if (offset == 0) { _unsupported = n < 0; return false; }
                    throw new IOException($"copy_file_range stopped after {offset} of {length} bytes (errno {Marshal.GetLastPInvokeError()}).");
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
