using System.Text;
using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Tar;
using SharpFuzz;

namespace ContainerSdk.Fuzz;

/// <summary>
/// AFL++ targets. A target may only fail with a ContainerSdkException (a coded, user-facing error): any other
/// exception escapes and AFL records the input as a crash; an endless loop is recorded as a hang.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        Action<Stream> target = args.FirstOrDefault() switch
        {
            "tar" => Tar,
            "acl" => Acl,
            "archive" => Archive,
            _ => throw new ArgumentException("usage: ContainerSdk.Fuzz tar|acl|archive [file]"),
        };
        // With a file: replay one input outside AFL (to triage a crash).
        if (args.Length > 1)
        {
            using var file = File.OpenRead(args[1]);
            target(file);
            return;
        }
        Fuzzer.OutOfProcess.Run(target);
    }

    /// <summary>Reads every entry and all of its data, as the planners do.</summary>
    public static void Tar(Stream input)
    {
        try
        {
            using var reader = new TarReader(input, "fuzz.tar");
            var buffer = new byte[8192];
            while (reader.Next() is not null)
                while (reader.Content.Read(buffer, 0, buffer.Length) > 0) { }
        }
        catch (ContainerSdkException) { }
    }

    /// <summary>A compressed (or plain) tarball, as a module tarball is read: the decompressor picked by magic bytes, then the reader.</summary>
    public static void Archive(Stream afl)
    {
        // AFL's input stream does not seek; the magic bytes are read first, then the whole stream from its start.
        var input = new MemoryStream();
        afl.CopyTo(input);
        input.Position = 0;
        var head = new byte[4];
        int n = input.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        input.Position = 0;
        var compression =
            n >= 2 && head[0] == 0x1F && head[1] == 0x8B ? StreamCompression.Gzip :
            n >= 3 && head[0] == (byte)'B' && head[1] == (byte)'Z' && head[2] == (byte)'h' ? StreamCompression.Bzip2 :
            n >= 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD ? StreamCompression.Zstd : StreamCompression.None;
        try
        {
            using var decompressed = Decompression.Decompress(input, compression, "fuzz.tar.x");
            Tar(decompressed);
        }
        catch (ContainerSdkException) { }
    }

    private static readonly PasswdResolver Names = new(
        new MemoryStream(Encoding.UTF8.GetBytes("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n")),
        new MemoryStream(Encoding.UTF8.GetBytes("root:x:0:\nstaff:x:50:alice\n")), "fuzz");

    public static void Acl(Stream input)
    {
        try
        {
            using var reader = new StreamReader(input, new UTF8Encoding(false));
            AclDumpParser.Parse(reader, "fuzz.acl", "/", Names);
        }
        catch (ContainerSdkException) { }
    }
}
